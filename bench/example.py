"""The reference: peewee's own twitter example, from the peewee sdist on the package index.

`pip download --no-binary peewee --no-deps peewee==<pinned>` fetches the sdist
into bench/vendor/ (git-ignored, never committed) and its `examples/twitter`
is unpacked beside it. The example opens `tweepee.db` in its working
directory, so each run gets a working directory of its own holding a copy of
the example and of its database.

Its database holds the same users, follows and messages as tweepee's data set
(hidden messages and suspended users included: the example knows neither), with
`user.password` set to the md5 hex digest of the demo password, as the example
compares md5 digests in SQL. The tables are made by the example's own
`create_tables()`, so it runs with the indexes it defines itself, not tweepee's.
That file is cached in bench/data/ beside the data set it was made from.
"""
import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile

from .datasets import DATA_DIR, DEMO_PASSWORD, REPO, remove_sqlite

VENDOR_DIR = os.path.join(REPO, "bench", "vendor")
EXAMPLE_DB = "tweepee.db"  # app.py: DATABASE = 'tweepee.db', relative to its working directory
COPIES = (
    ('"user" (id, username, password, email, join_date)',
     'SELECT id, username, :password, email, join_date FROM src."user"'),
    ("relationship (id, from_user_id, to_user_id)",
     "SELECT id, from_user_id, to_user_id FROM src.relationship"),
    ("message (id, user_id, content, pub_date)",
     "SELECT id, user_id, content, pub_date FROM src.message"),
)


def pinned_peewee():
    """The peewee version pinned in requirements.txt."""
    with open(os.path.join(REPO, "requirements.txt")) as f:
        match = re.search(r"^peewee==(\S+)", f.read(), re.MULTILINE)
    if not match:
        raise RuntimeError("requirements.txt pins no peewee version (peewee==X.Y.Z)")
    return match.group(1)


def ensure_example(log=print):
    """Return the directory of the unpacked examples/twitter, downloading the sdist if needed."""
    version = pinned_peewee()
    target = os.path.join(VENDOR_DIR, f"peewee-{version}-twitter")
    if os.path.exists(os.path.join(target, "app.py")):
        return target
    sdist = download_sdist(version, log)
    unpack_twitter(sdist, target)
    return target


def download_sdist(version, log=print):
    """Return the path of peewee-<version>.tar.gz in bench/vendor/, fetching it with pip."""
    os.makedirs(VENDOR_DIR, exist_ok=True)
    found = glob.glob(os.path.join(VENDOR_DIR, f"peewee-{version}.tar.gz"))
    if found:
        return found[0]
    log(f"downloading the peewee {version} sdist for its twitter example...")
    result = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet",
                             "--disable-pip-version-check", "--no-deps",
                             # only peewee from source: with :all:, pip built its build
                             # requirements (Cython) from source too, minutes on a new machine
                             "--no-binary", "peewee",
                             f"peewee=={version}", "-d", VENDOR_DIR],
                            timeout=600, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"pip download of the peewee {version} sdist failed "
                           f"(status {result.returncode})")
    return os.path.join(VENDOR_DIR, f"peewee-{version}.tar.gz")


def unpack_twitter(sdist, target):
    """Unpack examples/twitter/ of the sdist into `target`."""
    tmp = target + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers() if "/examples/twitter/" in m.name]
        if not members:
            raise RuntimeError(f"{sdist} has no examples/twitter/")
        tar.extractall(tmp, members=members, filter="data")
    (inner,) = glob.glob(os.path.join(tmp, "*", "examples", "twitter"))
    shutil.rmtree(target, ignore_errors=True)
    os.replace(inner, target)
    shutil.rmtree(tmp, ignore_errors=True)


def md5_hex(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def ensure_database(example_dir, source_db, source_figures, log=print):
    """Return the path of the example's database made from the tweepee file `source_db`.

    Cached in bench/data/ as example-<key>.db; made again when the source was reseeded.
    """
    stem = os.path.splitext(source_db)[0].replace(os.path.join(DATA_DIR, "tweepee-"),
                                                  os.path.join(DATA_DIR, "example-"))
    db_path, meta_path = stem + ".db", stem + ".json"
    made_from = {"source_seeded_at": source_figures["seeded_at"],
                 "source_now": source_figures["now"],
                 "example": os.path.basename(example_dir)}
    if os.path.exists(db_path) and os.path.exists(meta_path):
        with open(meta_path) as f:
            if json.load(f) == made_from:
                return db_path
    log(f"building the peewee example's database from {os.path.basename(source_db)}...")
    tmp_path = stem + ".tmp.db"
    remove_sqlite(tmp_path)
    create_tables(example_dir, tmp_path)
    copy_rows(source_db, tmp_path)
    remove_sqlite(db_path)
    os.replace(tmp_path, db_path)
    with open(meta_path, "w") as f:
        json.dump(made_from, f, indent=2)
    return db_path


def create_tables(example_dir, path):
    """Make the example's empty tables in `path` with its own create_tables()."""
    workdir = os.path.dirname(path)
    scratch = os.path.join(workdir, EXAMPLE_DB)
    if os.path.exists(scratch):
        raise RuntimeError(f"{scratch} is in the way")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "import app; app.create_tables()")
    try:
        subprocess.run([sys.executable, "-c", code, example_dir], cwd=workdir, check=True,
                       timeout=120, stdin=subprocess.DEVNULL)
        os.replace(scratch, path)
    finally:
        remove_sqlite(scratch)


def copy_rows(source_db, target_db):
    """Copy users (md5 demo password), follows and messages from `source_db` into `target_db`."""
    conn = sqlite3.connect(target_db)
    try:
        conn.execute("ATTACH DATABASE ? AS src", (source_db,))
        with conn:
            for into, select in COPIES:
                conn.execute(f"INSERT INTO {into} {select}", {"password": md5_hex(DEMO_PASSWORD)})
        conn.execute("DETACH DATABASE src")
    finally:
        conn.close()


def prepare_workdir(example_dir, database, workdir):
    """Fill `workdir` with a copy of the example and of `database` as its tweepee.db."""
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.copytree(example_dir, workdir)
    shutil.copyfile(database, os.path.join(workdir, EXAMPLE_DB))
    return workdir
