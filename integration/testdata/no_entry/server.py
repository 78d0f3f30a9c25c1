print("a script with nothing that says how to install or serve it")
