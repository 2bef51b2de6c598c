"""Sums `perf script` samples (-F comm,pid,tid,ip,sym,dso, with call chains) of one process: by thread, by function where
the sample was taken (self), and by function anywhere in the sample's call chain (inclusive). Seconds assume perf's -F 499."""
import collections
import re
import sys

path, pid, top = sys.argv[1], sys.argv[2], int(sys.argv[3])
HZ = 499
header = re.compile(r'^(.*?)\s+(\d+)/(\d+)\s*$')
samples = []
current = None
for line in open(path, errors='replace'):
    if not line.startswith('\t'):
        m = header.match(line.rstrip('\n')) if line.strip() else None
        current = [m.group(1).strip(), []] if m and m.group(2) == pid else None
        if current is not None:
            samples.append(current)
    elif current is not None and line.strip():
        rest = line.strip().split(' ', 1)[1] if ' ' in line.strip() else ''
        symbol, _, dso = rest.rpartition(' (')
        current[1].append(f"{symbol} [{dso.rstrip(')').split('/')[-1]}]" if symbol == '[unknown]' else symbol)
n = max(len(samples), 1)
print(f"  {len(samples)} samples = {len(samples) / HZ:.2f} CPU s")
def show(title, counter):
    print(f"  -- {title}")
    for key, v in counter.most_common(top):
        print(f"  {100 * v / n:5.1f}% {v / HZ:6.2f} s  {key[:140]}")
show("thread", collections.Counter(s[0] for s in samples))
show("self", collections.Counter(s[1][0] if s[1] else '?' for s in samples))
show("inclusive", collections.Counter(f for s in samples for f in set(s[1])))
