#!/usr/bin/python
"""Bring many files of many controls to their desired state in one remote call.

Each remote task costs a round trip (several over a connection that cannot pipeline), so a role
hands this module all its files at once instead of one copy/file/lineinfile task per file. Every
entry names the control it serves; the result says, per control, what changed or would change, and
the Collector reports it under that control. Check mode reads and compares only.
"""

DOCUMENTATION = r"""
module: harden_files
short_description: Ensure files, directories, modes, lines and live kernel parameters for many controls at once
options:
  entries:
    description:
      - "Each: control (id) and path; an entry without a path only marks its control as examined."
      - "One of: content (the whole file); lines (a list of {regexp, line, insertafter}, as lineinfile:
        the last match is replaced, else the line goes after insertafter's last match or at the end);
        block and marker (as blockinfile, marker holding {mark}); state: directory; or only
        owner/group/mode (an existing path's attributes; a missing one is left alone)."
      - "Optional: owner, group, mode; validate (a command with %s, run on the new file before it is
        moved in place); sysctl ({key: value}, set live with sysctl -w where /proc/sys differs)."
    type: list
    elements: dict
    required: true
author: harden
"""

import grp
import os
import pwd
import re
import stat
import subprocess
import tempfile

from ansible.module_utils.basic import AnsibleModule


def read(path):
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def with_lines(text, lines):
    """lineinfile's rule for each {regexp, line[, insertafter]}: replace the last match, else insert after
    the last line matching insertafter, else append."""
    out = (text or "").splitlines()
    for edit in lines:
        pattern = re.compile(edit["regexp"])
        matches = [i for i, current in enumerate(out) if pattern.search(current)]
        anchor = re.compile(edit["insertafter"]) if edit.get("insertafter") else None
        anchors = [i for i, current in enumerate(out) if anchor and anchor.search(current)]
        if matches:
            out[matches[-1]] = edit["line"]
        elif anchors:
            out.insert(anchors[-1] + 1, edit["line"])
        else:
            out.append(edit["line"])
    return "\n".join(out) + "\n" if out else ""


def with_block(text, marker, block):
    """blockinfile's rule: the lines between the marker's BEGIN and END lines become block, else the
    marked block is appended."""
    begin, end = marker.replace("{mark}", "BEGIN"), marker.replace("{mark}", "END")
    out = (text or "").splitlines()
    new = [begin, *block.splitlines(), end]
    if begin in out and end in out[out.index(begin):]:
        start = out.index(begin)
        out[start:out.index(end, start) + 1] = new
    else:
        out += new
    return "\n".join(out) + "\n"


def attributes(path):
    st = os.lstat(path)
    return {"owner": _name(pwd.getpwuid, st.st_uid), "group": _name(grp.getgrgid, st.st_gid),
            "mode": f"{stat.S_IMODE(st.st_mode):04o}"}


def _name(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return str(number)


class Files:
    def __init__(self, module):
        self.module = module
        self.check = module.check_mode
        self.controls = {}  # control -> {"changes": [...], "diff": [...]}
        self.failed = {}  # control -> message

    def note(self, control, change, diff=None):
        entry = self.controls.setdefault(control, {"changes": [], "diff": []})
        entry["changes"].append(change)
        if diff:
            entry["diff"].append(diff)

    def ensure(self, e):
        if "path" not in e:
            return  # a control with nothing to put in place on this host: examined, compliant
        path, control = e["path"], e["control"]
        if e.get("state") == "directory":
            if os.path.isdir(path):
                self.ensure_attributes(e)
            else:  # a new directory: created with its attributes
                self.note(control, f"{path}: directory created")
                if not self.check:
                    os.makedirs(path, mode=0o755, exist_ok=True)
                    self.set_attributes(path, {k: e[k] for k in ("owner", "group", "mode") if e.get(k)})
        elif "content" in e or "lines" in e or "block" in e:
            self.write(e)
        elif os.path.lexists(path):
            self.ensure_attributes(e)
        for key, value in (e.get("sysctl") or {}).items():
            self.sysctl(control, key, str(value))

    def write(self, e):
        path, control = e["path"], e["control"]
        before = read(path)
        if "content" in e:
            after = e["content"]
        elif "block" in e:
            after = with_block(before, e["marker"], e["block"])
        else:
            after = with_lines(before, e["lines"])
        off = self.attributes_off(e) if before is not None else {}
        if before != after:
            self.note(control, f"{path}: {'created' if before is None else 'content changed'}",
                      {"before": before or "", "after": after, "before_header": f"{path} (before)",
                       "after_header": f"{path} (after)"})
            if not self.check:
                self.replace(path, after, e)
        elif off and not self.check:
            self.set_attributes(path, off)

    def replace(self, path, text, e):
        """Write beside the file with its final owner, group and mode, validate, then rename into place."""
        old = attributes(path) if os.path.exists(path) else {"owner": "root", "group": "root", "mode": "0644"}
        final = {k: str(e.get(k) or old[k]) for k in ("owner", "group", "mode")}
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or "/", prefix=".harden-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as fh:
                fh.write(text)
            self.set_attributes(tmp, final)
            if e.get("validate"):
                proc = subprocess.run(e["validate"].replace("%s", tmp), shell=True, capture_output=True, text=True)
                if proc.returncode != 0:
                    raise ValueError(f"validation failed: {(proc.stderr or proc.stdout).strip()}")
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def attributes_off(self, e):
        """The wanted owner/group/mode that the existing path lacks; noted under the entry's control."""
        wanted = {k: str(e[k]) for k in ("owner", "group", "mode") if e.get(k) is not None}
        if "mode" in wanted:
            wanted["mode"] = f"{int(wanted['mode'], 8):04o}"
        current = attributes(e["path"])
        off = {k: v for k, v in wanted.items() if current.get(k) != v}
        if off:
            changes = ", ".join(f"{k} {current[k]} -> {v}" for k, v in sorted(off.items()))
            self.note(e["control"], f"{e['path']}: {changes}")
        return off

    def ensure_attributes(self, e):
        off = self.attributes_off(e)
        if off and not self.check:
            self.set_attributes(e["path"], off)

    @staticmethod
    def set_attributes(path, attrs):
        if "owner" in attrs or "group" in attrs:
            os.chown(path, pwd.getpwnam(attrs["owner"]).pw_uid if "owner" in attrs else -1,
                     grp.getgrnam(attrs["group"]).gr_gid if "group" in attrs else -1)
        if "mode" in attrs:
            os.chmod(path, int(str(attrs["mode"]), 8))

    def sysctl(self, control, key, value):
        live = read("/proc/sys/" + key.replace(".", "/"))
        if live is None or " ".join(live.split()) == value:
            return
        self.note(control, f"{key}: {' '.join(live.split())} -> {value} (running kernel)")
        if not self.check:
            proc = subprocess.run(["sysctl", "-q", "-w", f"{key}={value}"], capture_output=True, text=True)
            if proc.returncode != 0:
                raise ValueError(f"sysctl -w {key}={value}: {proc.stderr.strip()}")


def main():
    module = AnsibleModule(argument_spec={"entries": {"type": "list", "elements": "dict", "required": True}},
                           supports_check_mode=True)
    files = Files(module)
    for entry in module.params["entries"]:
        # every control examined is reported: compliant unless a change is noted
        files.controls.setdefault(entry.get("control", "?"), {"changes": [], "diff": []})
        try:
            files.ensure(entry)
        except (OSError, ValueError, KeyError) as exc:
            files.failed.setdefault(entry.get("control", "?"), f"{entry.get('path')}: {exc}")
    result = {"changed": any(c["changes"] for c in files.controls.values()), "harden_controls": files.controls,
              "diff": [d for c in files.controls.values() for d in c["diff"]]}
    if files.failed:
        module.fail_json(msg="; ".join(f"{c}: {m}" for c, m in files.failed.items()),
                         harden_failed=files.failed, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
