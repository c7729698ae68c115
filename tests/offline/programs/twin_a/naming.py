PREFIX = "a"
