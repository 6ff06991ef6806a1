#!/usr/bin/env python3
"""The man page and the bash completion document what --help prints.

Driven by the binary itself: every command `whopconf --help` lists, every
subcommand and option `whopconf <command> --help` prints, and every exit code
of `whopconf --help` must appear in the rendered man page (the option inside
its command's section, the exit code in EXIT STATUS), and the bash completion
must offer every command, subcommand and option. A command or flag added
without documenting it fails here.

usage: man_page_matches_help.py WHOPCONF MAN_PAGE COMPLETION_FILE
"""
import os
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*|-[a-zA-Z])(?![\w-])")


def run(argv, env=None):
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def commands_of(top_help):
    """Names listed under "commands:" in `whopconf --help`."""
    names, inside = [], False
    for line in top_help.splitlines():
        if line.strip() == "commands:":
            inside = True
        elif inside and not line.strip():
            break
        elif inside:
            m = re.match(r"\s+([a-z][a-z0-9-]*)\s{2,}", line)
            if m:
                names.append(m.group(1))
    return names


def subcommands_of(command, text):
    """Words after `whopconf <command>` on the usage lines, when they are
    subcommands (lowercase words, not FILE placeholders or options)."""
    subs = []
    for m in re.finditer(rf"^(?:usage:)?\s*whopconf {command} ([a-z][a-z-]*)\b", text, re.M):
        if m.group(1) not in subs:
            subs.append(m.group(1))
    return subs


def exit_codes_of(top_help):
    m = re.search(r"^exit codes:(.*)$", top_help, re.M)
    if not m:
        sys.exit("whopconf --help names no exit codes")
    return re.findall(r"(?:^|,)\s*(\d+)\s", m.group(1))


def render_man(page):
    env = dict(os.environ, LC_ALL="C", MANWIDTH="250")
    text = run(["man", "-P", "cat", "-l", page], env=env)
    return re.sub(r".\x08", "", text)  # bold and underline overstrikes


def man_sections(text):
    """{heading: body} for .SH (column 0) and .SS (3 spaces) headings."""
    sections, heading = {}, None
    for line in text.splitlines():
        if re.match(r"^(\S.*|   \S.*)$", line):
            heading = line.strip()
            sections[heading] = ""
        elif heading is not None:
            sections[heading] += line + "\n"
    return sections


def completions(completion_file, words):
    """What the completion offers for the command line `words` (the last one
    being completed)."""
    script = (
        'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); '
        '_whopconf whopconf "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"; '
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    out = run(["bash", "-c", script, "bash", completion_file] + words)
    return set(out.split())


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    whopconf, page, completion_file = sys.argv[1:]
    missing = []
    top_help = run([whopconf, "--help"])
    commands = commands_of(top_help)
    if not commands:
        sys.exit("whopconf --help lists no commands")
    sections = man_sections(render_man(page))
    headings = list(sections)

    exit_status = sections.get("EXIT STATUS", "")
    for code in exit_codes_of(top_help):
        if not re.search(rf"^\s+{code}\s", exit_status, re.M):
            missing.append(f"man page: exit code {code} not in EXIT STATUS")

    offered_commands = completions(completion_file, ["whopconf", ""])
    for command in commands:
        text = run([whopconf, command, "--help"])
        options = sorted(set(OPTION.findall(text)))
        subs = subcommands_of(command, text)
        own = [h for h in headings if re.match(rf"whopconf {command}\b", h)]
        if not own:
            missing.append(f"man page: no section for command {command}")
        body = "".join(h + "\n" + sections[h] for h in own)
        for sub in subs:
            if not any(re.match(rf"whopconf {command} {sub}\b", h) for h in own):
                missing.append(f"man page: no section for {command} {sub}")
        for option in options:
            if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", body):
                missing.append(f"man page: {command} {option} not in its section")

        if command not in offered_commands:
            missing.append(f"completion: command {command} not offered")
        offered = set()
        if subs:
            offered_subs = completions(completion_file, ["whopconf", command, ""])
            for sub in subs:
                if sub not in offered_subs:
                    missing.append(f"completion: {command} {sub} not offered")
                offered |= completions(completion_file, ["whopconf", command, sub, "-"])
        else:
            offered = completions(completion_file, ["whopconf", command, "-"])
        for option in options:
            if option not in offered:
                missing.append(f"completion: {command} {option} not offered")
        print(f"{command}: {len(options)} options, {len(subs)} subcommands checked")

    for line in missing:
        print(line, file=sys.stderr)
    if missing:
        sys.exit(f"{len(missing)} things --help prints are not documented")
    print(f"man page and completion cover {len(commands)} commands")


if __name__ == "__main__":
    main()
