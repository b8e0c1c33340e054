"""把书中标记为 #@save 的代码收集成 d2l_local 包（d2l_local/__init__.py）。

    python tools/build_lib.py            # 重新生成
    python tools/build_lib.py --check    # 只检查包是否与书一致（不一致时退出码为 1）

哪些代码会被保存：
- 第一行以 ``#@save`` 结尾的代码单元：整个单元；
- 其他单元里，首行（对 def/class 而言是签名部分）带 ``#@save`` 的顶层语句。

按 _toc.yml 的顺序收集；所有 import 语句提到文件开头，去重后只写一次；
每个定义前注明讲授它的小节。保存的单元里的 ``import d2l_local as d2l`` 会被略去：
在包里，``d2l`` 就指包自身。
"""
import argparse
import ast
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import toc  # noqa: E402

ROOT = toc.ROOT
TARGET = Path('d2l_local') / '__init__.py'
SAVE_MARK = re.compile(r'\s*#\s*@save\s*$')

HEADER = '''"""《动手学深度学习》（PyTorch 版）配套包 d2l_local。

本文件由 tools/build_lib.py 从书中标记为 #@save 的代码单元生成，请勿手工修改：
修改书中的单元后运行 `make lib`。用法与经典的 d2l 0.17.6 相同：

    import d2l_local as d2l

hub（数据登记与获取）和 quick（快速模式）是手写的支撑模块；later_chapters 列出经典 d2l 中
属于本书之后各章的名字，访问它们时给出说明。
"""
'''

FOOTER = '''

# 经典 d2l 中属于本书之后各章的名字 · d2l_local/later_chapters.py
def __getattr__(name):
    """包里没有的名字：属于经典 d2l 后面章节的，说明本书不涵盖；其他照常报错。"""
    raise later_chapters.missing_name_error(__name__, name)
'''


class SaveError(ValueError):
    pass


def _parseable(source):
    """把 IPython 魔法命令行换成空行，使源码能被 ast 解析，且行号不变。"""
    return '\n'.join('' if line.lstrip().startswith(('%', '!')) else line
                     for line in source.split('\n'))


def _header_lines(node):
    """一条顶层语句“首部”的行号范围：def/class 到函数体之前，其他语句是全部行。"""
    first = node.decorator_list[0].lineno if getattr(node, 'decorator_list', None) else node.lineno
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        last = max(node.lineno, node.body[0].lineno - 1)
    else:
        last = node.end_lineno
    return first, last


def saved_statements(source, where):
    """一个代码单元中要保存的顶层语句：[(ast 节点, 源码行列表)]。"""
    lines = source.split('\n')
    whole_cell = bool(lines) and bool(SAVE_MARK.search(lines[0]))
    if not whole_cell and not any(SAVE_MARK.search(line) for line in lines):
        return []
    try:
        tree = ast.parse(_parseable(source))
    except SyntaxError as e:
        raise SaveError(f'{where}: 含 #@save 的单元无法解析：{e}') from None
    if whole_cell and any(line.lstrip().startswith(('%', '!')) for line in lines):
        raise SaveError(f'{where}: 要保存的单元里不能有 IPython 魔法命令')
    result = []
    for node in tree.body:
        first, last = _header_lines(node)
        if whole_cell or any(SAVE_MARK.search(lines[i - 1]) for i in range(first, last + 1)):
            body = [SAVE_MARK.sub('', line) for line in lines[first - 1:node.end_lineno]]
            result.append((node, body))
    return result


def collect(root=ROOT):
    """按书的顺序收集：返回 (imports, blocks)。blocks 是 (小节说明, 代码行) 的列表。"""
    imports, blocks = [], []
    for page in toc.notebooks(root=root):
        nb = json.loads((root / page.path).read_text(encoding='utf-8'))
        section = f'{page.number} {page.title(root)}'.strip()
        for index, cell in enumerate(nb['cells']):
            if cell['cell_type'] != 'code':
                continue
            where = f'{page.path}（第 {index + 1} 个单元）'
            for node, body in saved_statements(''.join(cell['source']), where):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    statement = ' '.join(line.strip() for line in body)
                    if statement != 'import d2l_local as d2l':   # 包自己就是 d2l
                        imports.append(statement)
                else:
                    blocks.append((f'{section} · {page.slug}', body))
    return imports, blocks


def _import_key(line):
    # 先 import x，再 from x import y；各自按模块名排序
    return (line.startswith('from '), line.split()[1].split('.')[0] == 'd2l_local', line)


def render(root=ROOT):
    imports, blocks = collect(root)
    imports = sorted(set(imports + ['import sys', 'from d2l_local import hub, later_chapters, quick']),
                     key=_import_key)
    out = [HEADER] + imports + ['', 'd2l = sys.modules[__name__]']
    previous = (None, True)   # (上一块的小节, 上一块是否是定义)
    for tag, body in blocks:
        while body and not body[-1].strip():
            body = body[:-1]
        is_definition = body[0].startswith(('def ', 'class ', '@', 'async def '))
        out += ['', ''] if is_definition or previous[1] else ['']
        # 每个定义都注明小节；同一小节里接连的普通语句只注明一次
        if is_definition or previous != (tag, False):
            out.append(f'# {tag}')
        out += [line.rstrip() for line in body]
        previous = (tag, is_definition)
    return '\n'.join(out) + '\n' + FOOTER


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='只检查，不写文件')
    args = parser.parse_args()
    text = render()
    target = ROOT / TARGET
    current = target.read_text(encoding='utf-8') if target.exists() else ''
    if args.check:
        if current != text:
            sys.exit(f'{TARGET} 与书中的 #@save 单元不一致：请运行 make lib')
        print(f'{TARGET} 与书一致')
        return
    if current != text:
        target.write_text(text, encoding='utf-8')
        print(f'已重新生成 {TARGET}')
    else:
        print(f'{TARGET} 已是最新')


if __name__ == '__main__':
    main()
