"""书的结构：目录条目都存在；每节有标题、小结和练习；存储的输出干净且来自完整模式。"""
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))

import toc  # noqa: E402
from d2l_local.quick import NOTICE_PREFIX  # noqa: E402

PAGES = toc.pages()
NOTEBOOKS = [p for p in PAGES if p.is_notebook]
# 需要小结和练习的页：所有笔记本，以及没有下属小节的编号章（例如第 1 章 引言）
LEAVES = [p for p in PAGES if p.is_notebook or (
    p.number and not any(q.number.startswith(p.number + '.') for q in PAGES))]


def ids(pages):
    return [p.slug for p in pages]


def markdown_of(page):
    source = (ROOT / page.path).read_text(encoding='utf-8')
    if not page.is_notebook:
        return source
    cells = json.loads(source)['cells']
    return '\n\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'markdown')


def code_cells(page):
    nb = json.loads((ROOT / page.path).read_text(encoding='utf-8'))
    return [c for c in nb['cells'] if c['cell_type'] == 'code']


def test_toc_entries_exist():
    missing = [str(p.path) for p in PAGES if not (ROOT / p.path).is_file()]
    assert not missing, f'_toc.yml 中的条目不存在：{missing}'


def test_every_notebook_is_in_toc():
    listed = {p.path.as_posix() for p in NOTEBOOKS}
    found = {p.relative_to(ROOT).as_posix() for p in (ROOT / 'book').rglob('*.ipynb')
             if '.ipynb_checkpoints' not in p.parts}
    assert found <= listed, f'不在 _toc.yml 里的笔记本：{sorted(found - listed)}'


@pytest.mark.parametrize('page', PAGES, ids=ids(PAGES))
def test_page_has_one_title(page):
    text = re.sub(r'```.*?```', '', markdown_of(page), flags=re.DOTALL)
    titles = re.findall(r'^# \S.*$', text, flags=re.MULTILINE)
    assert len(titles) == 1, titles


@pytest.mark.parametrize('page', LEAVES, ids=ids(LEAVES))
def test_section_ends_with_summary_and_exercises(page):
    text = markdown_of(page)
    headings = re.findall(r'^## (.+?)\s*$', text, flags=re.MULTILINE)
    assert headings[-2:] == ['小结', '练习'], headings
    exercises = text.split('\n## 练习', 1)[1]
    assert len(re.findall(r'^\d+\. ', exercises, flags=re.MULTILINE)) >= 3, '至少三道练习'


@pytest.mark.parametrize('page', NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebook_metadata_and_cells(page):
    nb = json.loads((ROOT / page.path).read_text(encoding='utf-8'))
    assert nb['metadata']['kernelspec']['name'] == 'python3'
    cells = code_cells(page)
    assert cells, '笔记本应当有代码'
    assert all(''.join(c['source']).strip() for c in cells), '不应有空的代码单元'
    assert 'import d2l_local as d2l' in ''.join(cells[0]['source']), '第一个代码单元应导入 d2l_local'


@pytest.mark.parametrize('page', NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_stored_outputs_are_complete_and_clean(page):
    for index, cell in enumerate(code_cells(page)):
        tags = cell.get('metadata', {}).get('tags', [])
        where = f'第 {index + 1} 个代码单元'
        if 'gpu' not in tags:
            assert cell.get('execution_count') is not None, f'{where}没有执行'
        for output in cell.get('outputs', []):
            assert output['output_type'] != 'error', f'{where}存着错误输出'
            text = ''.join(output.get('text', '')) + ''.join(output.get('data', {}).get('text/plain', ''))
            assert NOTICE_PREFIX not in text, f'{where}的输出来自快速模式；请用 make outputs 重新生成'
