console.log("the browser app");
