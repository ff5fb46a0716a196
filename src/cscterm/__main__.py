from cscterm.launch import main

main()
