"""把几次 ``make test`` 记录的浮点漂移汇总成一张表（每个笔记本、每种 CPU 设置的最大相对漂移）。

用法：先在几种设置下各跑一次，记录写进不同的文件，例如

    D2L_DRIFT_LOG=_build/drift/native.jsonl make test
    D2L_DRIFT_LOG=_build/drift/aten-default.jsonl ATEN_CPU_CAPABILITY=default make test

再运行 ``python tools/drift_table.py _build/drift/*.jsonl``，打印 Markdown 表（tests/DRIFT.md 用的就是它）。
列名取记录文件名（不含扩展名）。漂移只统计超出绝对下限 ATOL 的数对；“—”表示该设置下
这个笔记本所有比对的浮点数都与存储的一字不差。
"""
import json
import sys
from collections import defaultdict
from pathlib import Path


def read_logs(paths):
    """返回 {笔记本: {设置: 最大相对漂移}} 和 {设置: 失败的单元列表}。"""
    drift = defaultdict(dict)
    failures = defaultdict(list)
    for path in map(Path, paths):
        config = path.stem
        if not path.exists():   # 这种设置下没有一个浮点数与存储的不同，记录文件就不会生成
            continue
        for line in path.read_text(encoding='utf-8').splitlines():
            entry = json.loads(line)
            notebook = entry['notebook'].removeprefix('book/').removesuffix('.ipynb')
            worst = drift[notebook].get(config, 0.0)
            drift[notebook][config] = max(worst, entry['max_relative'])
            if not entry['passed']:
                failures[config].append(f"{notebook} 单元 {entry['cell']}")
    return drift, failures


def markdown(drift, configs):
    rows = ['| 笔记本 | ' + ' | '.join(configs) + ' |', '|---|' + '---:|' * len(configs)]
    for notebook in sorted(drift):
        cells = [f'{drift[notebook][c]:.1e}' if drift[notebook].get(c) else '—' for c in configs]
        rows.append(f'| {notebook} | ' + ' | '.join(cells) + ' |')
    overall = [max((d.get(c, 0.0) for d in drift.values()), default=0.0) for c in configs]
    rows.append('| **最大** | ' + ' | '.join(f'**{v:.1e}**' for v in overall) + ' |')
    return '\n'.join(rows)


def main(paths):
    drift, failures = read_logs(paths)
    configs = [Path(p).stem for p in paths]
    print(markdown(drift, configs))
    for config, cells in failures.items():
        print(f'\n{config} 下超出容差的单元：' + '；'.join(cells))


if __name__ == '__main__':
    main(sys.argv[1:])
