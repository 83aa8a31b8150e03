"""``python -m generator`` runs the ``clientgen`` command line."""

from generator.warm import main

if __name__ == "__main__":
    main()
