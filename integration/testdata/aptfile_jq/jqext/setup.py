from setuptools import Extension, setup

setup(name="jqext", version="1.0", ext_modules=[Extension("jqext", ["jqext.c"], libraries=["jq"])])
