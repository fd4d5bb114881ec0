from sanlint.cli import entry

entry()
