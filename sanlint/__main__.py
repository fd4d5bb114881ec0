from sanlint.cli import main

main()
