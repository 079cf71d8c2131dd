from datameent.cli import main

main()
