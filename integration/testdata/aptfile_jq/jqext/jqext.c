/* JSON made canonical by libjq (sorted keys), to show the extension was
   compiled against libjq-dev and links libjq at run time. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <jv.h>

static PyObject *canonical(PyObject *self, PyObject *args) {
    const char *text;
    if (!PyArg_ParseTuple(args, "s", &text))
        return NULL;
    jv parsed = jv_parse(text);
    if (!jv_is_valid(parsed)) {
        jv_free(parsed);
        PyErr_SetString(PyExc_ValueError, "not JSON");
        return NULL;
    }
    jv dumped = jv_dump_string(parsed, JV_PRINT_SORTED);
    PyObject *result = PyUnicode_FromString(jv_string_value(dumped));
    jv_free(dumped);
    return result;
}

static PyMethodDef methods[] = {
    {"canonical", canonical, METH_VARARGS, "JSON with sorted keys, by libjq."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "jqext", NULL, -1, methods};

PyMODINIT_FUNC PyInit_jqext(void) { return PyModule_Create(&module); }
