from cscterm.cli import main

main()
