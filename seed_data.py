"""Demo data for tweepee: users, follows, messages and open reports, from a few rows to millions.

    python seed_data.py [--users N] [--messages M] [--follows F] [--seed S] [--reset]
                        [--database URL] [--demo-password P] [--now ISO-DATETIME] [--quiet]

The same seed and the same --now give the same rows. `flask --app adminapp seed`
takes the same options. The code is the package adminapp/seed/ (how it works:
its docstring).
"""
import sys

from adminapp.seed.command import main

if __name__ == "__main__":
    sys.exit(main())
