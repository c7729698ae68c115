PREFIX = "b"
