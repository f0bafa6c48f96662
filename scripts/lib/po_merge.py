"""Merges a fresh Odoo translation export into an addon's translation file, or checks translation files.

Used by scripts/i18n; needs polib (part of Odoo's requirements)::

    po_merge.py merge EXPORT TARGET [--lang zh_CN]
    po_merge.py check TARGET...

``merge`` rewrites TARGET from EXPORT, Odoo's export of the terms the addon has now:

* an entry whose msgid (and msgctxt) is already in TARGET keeps TARGET's translation and translator
  comments; its ``#.`` comments, ``#:`` occurrences and flags come from the export;
* an entry that is new gets an empty msgstr;
* an entry of TARGET that the export no longer has is dropped.

The header of TARGET is kept (Language, Plural-Forms, translators); the project version and the
POT creation date come from the export. A missing TARGET is created. It prints how many entries are
untranslated and exits 0.

``check`` prints, for every TARGET, how many entries have an empty msgstr, and exits 1 when any has.
"""

import argparse
import os
import sys
import tempfile

import polib

PLURAL_FORMS = {
    "zh_CN": "nplurals=1; plural=0;",
    "zh_TW": "nplurals=1; plural=0;",
    "zh_HK": "nplurals=1; plural=0;",
}
WRAP_WIDTH = 78  # what Odoo's PoFileWriter uses (polib's default), so exports and merges look alike


def _key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def untranslated(po):
    """Live entries whose msgstr (or one of whose plural forms) is empty."""
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            forms = entry.msgstr_plural or {}
            if not forms or not all(forms.values()):
                missing.append(entry)
        elif not entry.msgstr:
            missing.append(entry)
    return missing


def merge(export_path, target_path, lang):
    export = polib.pofile(export_path, wrapwidth=WRAP_WIDTH)
    if os.path.exists(target_path):
        old = polib.pofile(target_path, wrapwidth=WRAP_WIDTH)
    else:
        old = polib.POFile(wrapwidth=WRAP_WIDTH)
    previous = {_key(entry): entry for entry in old if not entry.obsolete and entry.msgid}

    merged = polib.POFile(wrapwidth=WRAP_WIDTH)
    merged.header = export.header
    merged.metadata = dict(old.metadata) if old.metadata else dict(export.metadata)
    for name in ("Project-Id-Version", "POT-Creation-Date"):
        if name in export.metadata:
            merged.metadata[name] = export.metadata[name]
    if not merged.metadata.get("Language"):
        merged.metadata["Language"] = lang
    if not merged.metadata.get("Plural-Forms") and lang in PLURAL_FORMS:
        merged.metadata["Plural-Forms"] = PLURAL_FORMS[lang]

    added = kept = 0
    for entry in export:
        if entry.obsolete or not entry.msgid:
            continue
        known = previous.get(_key(entry))
        new = polib.POEntry(
            msgid=entry.msgid,
            msgctxt=entry.msgctxt,
            msgid_plural=entry.msgid_plural,
            comment=entry.comment,
            occurrences=list(entry.occurrences),
            flags=[flag for flag in entry.flags if flag != "fuzzy"],
        )
        if known is not None:
            new.msgstr = known.msgstr
            new.msgstr_plural = dict(known.msgstr_plural)
            new.tcomment = known.tcomment
            if "fuzzy" in known.flags:
                new.flags.append("fuzzy")
            kept += 1
        else:
            new.msgstr = ""
            if entry.msgid_plural:
                new.msgstr_plural = {index: "" for index in entry.msgstr_plural or {0: ""}}
            added += 1
        merged.append(new)
    dropped = len(previous) - kept

    directory = os.path.dirname(os.path.abspath(target_path))
    os.makedirs(directory, exist_ok=True)
    # Write next to the target and rename, so an interrupted run never leaves half a file.
    handle, temporary = tempfile.mkstemp(prefix=".po_merge-", suffix=".po", dir=directory)
    os.close(handle)
    try:
        merged.save(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target_path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)

    missing = len(untranslated(merged))
    print(
        f"{target_path}: {len(merged)} entries, {kept} kept, {added} new, {dropped} obsolete dropped, "
        f"{missing} untranslated"
    )
    return 0


def check(paths):
    status = 0
    for path in paths:
        try:
            po = polib.pofile(path)
        except (OSError, ValueError) as error:
            print(f"{path}: cannot read ({error})")
            status = 1
            continue
        missing = untranslated(po)
        total = len([entry for entry in po if not entry.obsolete])
        print(f"{path}: {total} entries, {len(missing)} untranslated")
        for entry in missing[:20]:
            print(f"    {entry.msgid!r}")
        if len(missing) > 20:
            print(f"    ... and {len(missing) - 20} more")
        if missing:
            status = 1
    return status


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    merge_parser = commands.add_parser("merge", help="merge an Odoo export into a translation file")
    merge_parser.add_argument("export", help="the .po file Odoo exported")
    merge_parser.add_argument("target", help="the addon's translation file, e.g. addons/x/i18n/zh_CN.po")
    merge_parser.add_argument("--lang", default="zh_CN", help="language code for a new file's header")
    check_parser = commands.add_parser("check", help="fail when a translation file has empty msgstr")
    check_parser.add_argument("targets", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "merge":
        return merge(args.export, args.target, args.lang)
    return check(args.targets)


if __name__ == "__main__":
    sys.exit(main())
