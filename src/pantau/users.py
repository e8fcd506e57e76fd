"""`python -m pantau.users`: LOGIN users for people and services, in one of the group roles of
`pantau.roles` (the command line above the roles; the roles module itself stays a library)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

import psycopg

from pantau import config, roles, warehouse


def main(argv: list[str] | None = None) -> int:
    """`python -m pantau.users create-user NAME GROUP`: a LOGIN user for a person or a service.

    Run as the database administrator (PANTAU_WAREHOUSE_DSN). The password is read from
    PANTAU_NEW_USER_PASSWORD or asked for; it never appears on the command line.
    """
    parser = argparse.ArgumentParser(prog="python -m pantau.users", description=main.__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-user", help="create or update a LOGIN user in a group role")
    create.add_argument("name")
    create.add_argument("group", choices=roles.GROUPS)
    create.add_argument("--no-password", action="store_true", help="trust/peer auth only")
    drop = sub.add_parser("drop-user", help="drop a LOGIN user")
    drop.add_argument("name")
    args = parser.parse_args(argv)

    dsn = config.warehouse_dsn()
    warehouse.bootstrap(dsn)  # the groups and their grants must exist before anyone joins them
    with psycopg.connect(dsn) as conn:
        if args.command == "drop-user":
            roles.drop_login_user(conn, args.name)
            print(f"dropped {args.name}")
            return 0
        password = None
        if not args.no_password:
            password = os.environ.get("PANTAU_NEW_USER_PASSWORD") or getpass.getpass(
                f"password for {args.name}: "
            )
        roles.create_login_user(conn, args.name, args.group, password=password)
    print(f"{args.name} can log in as a member of {args.group} in {config.dsn_parts(dsn)['dbname']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
