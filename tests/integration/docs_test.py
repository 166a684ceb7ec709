"""docs/commands.md mirrors the command table, both ways.

Starts sessiond, takes `COMMAND LIST` (every command and subcommand, e.g.
`config|get`) and checks that:
  - each name has exactly one `### ` heading in docs/commands.md, written as
    the upper-case words (`config|get` -> `### CONFIG GET`);
  - each `### ` heading names a command or subcommand the server knows;
  - each entry's syntax block starts with that name, and its **Table** line
    gives the arity `COMMAND INFO` reports.
Headings inside fenced code blocks are not headings and are ignored.
"""

import os
import re
import sys

import harness
from harness import Results, decode

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(HERE, os.pardir, os.pardir, 'docs', 'commands.md')


def heading_name(full_name):
    """`config|get` -> `CONFIG GET`."""
    return full_name.replace('|', ' ').upper()


def parse_doc(text):
    """[(heading, body lines)] for every `### ` heading outside code fences."""
    entries = []
    in_fence = False
    for line in text.splitlines():
        if line.startswith('```'):
            in_fence = not in_fence
        if not in_fence and line.startswith('### '):
            entries.append((line[4:].strip(), []))
        elif entries:
            entries[-1][1].append(line)
    return entries


def syntax_line(body):
    """The first line of the first fenced block of an entry, or None."""
    for i, line in enumerate(body):
        if line.startswith('```'):
            return body[i + 1] if i + 1 < len(body) else None
    return None


def table_arity(body):
    for line in body:
        m = re.match(r'- \*\*Table:\*\* arity (-?\d+);', line)
        if m:
            return int(m.group(1))
    return None


def main():
    res = Results('docs')
    path = harness.sessiond_path()
    if harness.binary_kind(path) != 'sessiond':
        print('SKIP: %s is not sessiond; docs/commands.md documents sessiond only' % path)
        sys.exit(0)
    try:
        with open(DOC, encoding='utf-8') as f:
            entries = parse_doc(f.read())
    except OSError as e:
        res.fail('read %s' % DOC, str(e))
        res.finish()

    server = None
    try:
        server = harness.start_sessiond()
        c = server.client()
        listed, _ = decode(c.cmd('COMMAND', 'LIST'))
        res.check(isinstance(listed, list) and len(listed) > 0, 'COMMAND LIST returns names',
                  repr(listed)[:200])
        names = sorted(n.decode() for n in listed)
        res.eq(len(names), len(set(names)), 'COMMAND LIST has no duplicates')

        top_level = [n for n in names if '|' not in n]
        count, _ = decode(c.cmd('COMMAND', 'COUNT'))
        res.eq(count, len(top_level), 'COMMAND COUNT equals the top-level names of COMMAND LIST')

        arity = {}
        for n in names:
            info, _ = decode(c.cmd('COMMAND', 'INFO', n))
            if res.check(isinstance(info, list) and len(info) == 1 and isinstance(info[0], list),
                         'COMMAND INFO %s describes it' % n, repr(info)[:200]):
                arity[heading_name(n)] = info[0][1]
        c.close()

        headings = [h for h, _ in entries]
        wanted = {heading_name(n) for n in names}

        # Every command and subcommand: exactly one heading.
        for n in names:
            h = heading_name(n)
            res.eq(headings.count(h), 1, 'docs/commands.md has one "### %s" heading for %s' % (h, n))

        # Every heading: a command the server knows.
        for h in sorted(set(headings)):
            res.check(h in wanted, '"### %s" names a command sessiond serves' % h,
                      'not in COMMAND LIST (headings must be upper-case command words, '
                      'one space between command and subcommand)')

        # Each known entry: syntax starts with its name, arity as the table says.
        for h, body in entries:
            if h not in wanted:
                continue
            syntax = syntax_line(body)
            res.check(syntax is not None and (syntax == h or syntax.startswith(h + ' ')),
                      '"### %s" syntax block starts with %s' % (h, h), 'got %r' % syntax)
            res.eq(table_arity(body), arity.get(h), '"### %s" Table arity matches COMMAND INFO' % h)
    except (harness.ServerError, harness.ProtocolError, OSError) as e:
        res.fail('run against sessiond', repr(e))
    finally:
        harness.stop_all(res, server)
    res.finish()


if __name__ == '__main__':
    main()
