"""把书中标记为 #@save 的代码收集成 d2l_local 包：每章一个模块，再由 __init__.py 统一导出。

    python tools/build_lib.py            # 重新生成
    python tools/build_lib.py --check    # 只检查包是否与书一致（不一致时退出码为 1）

哪些代码会被保存：
- 标记所在的顶层语句：``#@save`` 写在 def/class 的签名行（或其他语句的某一行）末尾；
- 整个单元：单元的第一行是只含注释的一行，并以 ``#@save`` 结尾（例如单独一行 ``#@save``）。

生成的文件（按 _toc.yml 的顺序）：
- ``d2l_local/ch<N>_<章目录>.py``：第 N 章保存的定义，按书中顺序；每个定义前注明讲授它的小节；
  只从更早的章导入名字；
- ``d2l_local/__init__.py``：导出各章的公开名字（``__all__``），让 ``d2l.X`` 照常可用。

生成前用 ast 检查名字：保存的代码用到的每个名字，都必须由保存的代码定义、由保存的 import
引入、是手写的支撑模块（hub、workload、_helpers、later_chapters），或是内置名字；否则报错
并指出是哪一节的哪个定义。保存的单元里的
``import d2l_local as d2l`` 会被略去（在包里，``d2l`` 就指包自身）。
"""
import argparse
import ast
import builtins
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import toc  # noqa: E402

ROOT = toc.ROOT
PACKAGE = Path('d2l_local')
SAVE_MARK = re.compile(r'\s*#\s*@save\s*$')
SELF_IMPORT = 'import d2l_local as d2l'
# 手写的支撑模块：保存的代码用 from d2l_local import ... 引用它们
SUPPORT_MODULES = ('hub', 'workload', '_helpers', 'later_chapters')

GENERATED = '本文件由 tools/build_lib.py 从书中的 #@save 单元生成，请勿手工修改：修改书中的单元后运行 `make lib`。'

INIT_DOC = '''"""《动手学深度学习》（PyTorch 版）配套包 d2l_local，用法与经典的 d2l 0.17.6 相同::

    import d2l_local as d2l

包的各层从文件名就能看出：

- ``ch2_preliminaries.py`` … ``ch9_recurrent_modern.py``：书中各章保存的定义（由书生成）；
- ``hub.py``：数据层，登记本书用到的每个数据文件，查找、下载并校验；
- ``workload.py``：工作量策略，快速模式和只有 CPU 时缩小什么、缩小多少，以及统一的说明格式；
- ``_helpers.py``：训练函数共用的私有小工具（设备、混合精度、吞吐量），不属于 d2l 的 API；
- ``later_chapters.py``：经典 d2l 中属于本书之后各章的名字，访问时给出说明。

{generated}
"""'''

FOOTER = '''

def __getattr__(name):
    """包里没有的名字：属于经典 d2l 后面章节的，说明本书不涵盖；其他照常报错。"""
    raise later_chapters.missing_name_error(__name__, name)
'''


class SaveError(ValueError):
    pass


@dataclass
class Chapter:
    number: str
    folder: str
    title: str
    blocks: list = field(default_factory=list)   # [(小节说明, 语句节点, 代码行)]

    @property
    def module(self):
        return f'ch{self.number}_{self.folder.removeprefix("chapter_").replace("-", "_")}'

    def defined(self):
        """本章在模块顶层定义的名字，按书中顺序。"""
        names = []
        for _, node, _ in self.blocks:
            names += [n for n in _bound_at_top(node) if n not in names]
        return names


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
    whole_cell = bool(lines) and lines[0].lstrip().startswith('#') and bool(SAVE_MARK.search(lines[0]))
    if not any(SAVE_MARK.search(line) for line in lines):
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


def _bound_at_top(node):
    """一条顶层语句在模块里绑定的名字。"""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(alias.asname or alias.name).split('.')[0] for alias in node.names]
    names = []
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, 'target', None)]
    for target in targets:
        for sub in ast.walk(target) if target is not None else ():
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                names.append(sub.id)
    return names


def free_names(node):
    """一条语句读取、却没有在语句内部绑定的名字（近似的作用域分析，够检查之用）。"""
    bound, used = set(), set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            (used if isinstance(sub.ctx, ast.Load) else bound).add(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(sub.name)
        elif isinstance(sub, ast.arg):
            bound.add(sub.arg)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split('.')[0] for a in sub.names)
        elif isinstance(sub, ast.ExceptHandler) and sub.name:
            bound.add(sub.name)
    return used - bound


def collect(root=ROOT):
    """按书的顺序收集：返回 (imports, chapters)。imports 是保存的 import 语句（去重）。"""
    imports, chapters = {}, {}
    for page in toc.notebooks(root=root):
        nb = json.loads((root / page.path).read_text(encoding='utf-8'))
        section = f'{page.number} {page.title(root)}'.strip()
        folder = Path(page.path).parts[-2]
        number = page.number.split('.')[0]
        for index, cell in enumerate(nb['cells']):
            if cell['cell_type'] != 'code':
                continue
            where = f'{page.path}（第 {index + 1} 个单元）'
            for node, body in saved_statements(''.join(cell['source']), where):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    statement = ' '.join(line.strip() for line in body)
                    if statement != SELF_IMPORT:
                        imports[statement] = node
                    continue
                if number not in chapters:
                    title = toc.Page(Path(page.path).parent / 'index.md', number).title(root) \
                        if (root / Path(page.path).parent / 'index.md').exists() else folder
                    chapters[number] = Chapter(number, folder, title)
                chapters[number].blocks.append((f'{section} · {page.slug}', node, body))
    return imports, list(chapters.values())


def check_names(imports, chapters):
    """每个被用到的名字都要有来处；返回 {章: {更早的章的模块: [名字]}} 和 {章: [用到的 import]}。"""
    imported = {name: statement for statement, node in imports.items()
                for name in _bound_at_top(node)}
    known = set(dir(builtins)) | {'__name__', '__file__', '__doc__'}
    owner = {}
    from_earlier, needed_imports = {}, {}
    for chapter in chapters:
        own = set(chapter.defined())
        earlier, used_imports = {}, []
        for tag, node, _ in chapter.blocks:
            for name in sorted(free_names(node)):
                if name in own or name in known:
                    continue
                if name in owner:
                    earlier.setdefault(owner[name], set()).add(name)
                elif name in imported:
                    if imported[name] not in used_imports:
                        used_imports.append(imported[name])
                elif name in SUPPORT_MODULES:
                    statement = f'from d2l_local import {name}'
                    if statement not in used_imports:
                        used_imports.append(statement)
                elif name == 'd2l':
                    if SELF_IMPORT not in used_imports:
                        used_imports.append(SELF_IMPORT)
                else:
                    label = getattr(node, 'name', None) or ', '.join(_bound_at_top(node))
                    raise SaveError(
                        f'{tag}：保存的 {label} 用到了名字 {name!r}，但它既不由保存的代码定义，'
                        f'也不由保存的 import 引入，也不是内置名字。请在书中给定义它的单元或'
                        f'对应的 import 加上 #@save（只能用本章和更早的章里保存的名字）。')
        for name in chapter.defined():
            owner.setdefault(name, chapter.module)
        from_earlier[chapter.module] = {m: sorted(names) for m, names in earlier.items()}
        needed_imports[chapter.module] = used_imports
    return from_earlier, needed_imports


def _import_key(line):
    # 先 import x，再 from x import y；d2l_local 自己的模块最后；各自按模块名排序
    return (line.split()[1].split('.')[0] == 'd2l_local', line.startswith('from '), line)


def _wrapped_list(opening, items, closing, width=96):
    """opening、每行若干项（缩进 4 格，逗号结尾）、closing。"""
    lines, line = [opening], '   '
    for item in items:
        if len(line) + len(item) + 2 > width:
            lines.append(line.rstrip())
            line = '   '
        line += f' {item},'
    return lines + [line, closing]


def public(names):
    return [n for n in names if not n.startswith('_')]


def render_chapter(chapter, imports, earlier):
    out = ['"""' + f'第 {chapter.number} 章 {chapter.title}：书中保存的定义，按讲授的顺序。',
           '', GENERATED, '"""']
    third_party = [s for s in imports if not s.startswith('from d2l_local import ')]
    support = sorted(s.split()[-1] for s in imports if s.startswith('from d2l_local import '))
    out += sorted(third_party, key=_import_key)
    if support:
        out.append('from d2l_local import ' + ', '.join(support))
    for module, names in sorted(earlier.items()):
        out.append(f'from d2l_local.{module} import {", ".join(names)}')
    out += [''] + _wrapped_list('__all__ = [', [repr(n) for n in public(chapter.defined())], ']')
    previous = (None, True)   # (上一块的小节, 上一块是否是定义)
    for tag, node, body in chapter.blocks:
        while body and not body[-1].strip():
            body = body[:-1]
        is_definition = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        out += ['', ''] if is_definition or previous[1] else ['']
        # 每个定义都注明小节；同一小节里接连的普通语句只注明一次
        if is_definition or previous != (tag, False):
            out.append(f'# {tag}')
        out += [line.rstrip() for line in body]
        previous = (tag, is_definition)
    return '\n'.join(out) + '\n'


def render_init(imports, chapters):
    out = [INIT_DOC.format(generated=GENERATED)]
    # 经典 d2l 也把它导入的模块当作属性提供（d2l.plt、d2l.torch 等）；它们不在 __all__ 里
    third_party = sorted((s for s in imports if s.split()[1].split('.')[0] != 'd2l_local'),
                         key=_import_key)
    out += sorted(set(third_party) | {'import sys'}, key=_import_key)
    out.append('from d2l_local import ' + ', '.join(sorted(SUPPORT_MODULES)))
    exported = []
    for chapter in chapters:
        names = public(chapter.defined())
        exported += names
        out += _wrapped_list(f'from d2l_local.{chapter.module} import (', names, ')')
    out += ['', 'd2l = sys.modules[__name__]  # 经典 d2l 的 d2l.d2l：指包自身', '']
    out += _wrapped_list('__all__ = [', [repr(n) for n in exported], ']')
    return '\n'.join(out).rstrip() + '\n' + FOOTER


def render(root=ROOT):
    """{相对路径: 文件内容}：make lib 会写出的全部生成文件。"""
    imports, chapters = collect(root)
    earlier, needed = check_names(imports, chapters)
    files = {PACKAGE / '__init__.py': render_init(imports, chapters)}
    for chapter in chapters:
        files[PACKAGE / f'{chapter.module}.py'] = render_chapter(
            chapter, needed[chapter.module], earlier[chapter.module])
    return files


def stale_modules(root, files):
    """包里以 ch 开头、却不再由书生成的旧模块。"""
    return [p.relative_to(root) for p in (root / PACKAGE).glob('ch*_*.py')
            if p.relative_to(root) not in files]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='只检查，不写文件')
    args = parser.parse_args()
    try:
        files = render()
    except SaveError as e:
        sys.exit(f'make lib 失败：{e}')
    differ = [path for path, text in files.items()
              if not (ROOT / path).exists() or (ROOT / path).read_text(encoding='utf-8') != text]
    stale = stale_modules(ROOT, files)
    if args.check:
        if differ or stale:
            sys.exit(f'{", ".join(map(str, differ + stale))} 与书中的 #@save 单元不一致：请运行 make lib')
        print('d2l_local 与书一致')
        return
    for path in differ:
        (ROOT / path).write_text(files[path], encoding='utf-8')
        print(f'已重新生成 {path}')
    for path in stale:
        (ROOT / path).unlink()
        print(f'已删除不再生成的 {path}')
    if not differ and not stale:
        print('d2l_local 已是最新')


if __name__ == '__main__':
    main()
