exec(open("local_settings.py").read())
SECRET_KEY = eval("\"x\" * 50")
globals()["DEBUG"] = True
