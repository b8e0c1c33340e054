"""书的结构：目录条目都存在；每节有标题、小结和练习；存储的输出干净且来自完整模式。"""
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))

import toc  # noqa: E402
from d2l_local.workload import NOTICE_PREFIX  # noqa: E402

PAGES = toc.pages()
NOTEBOOKS = [p for p in PAGES if p.is_notebook]
# 需要小结和练习的页：所有笔记本，以及没有下属小节的编号章（例如第 1 章 引言）
LEAVES = [p for p in PAGES if p.is_notebook or (
    p.number and not any(q.number.startswith(p.number + '.') for q in PAGES))]


def ids(pages):
    return [p.slug for p in pages]


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
    text = re.sub(r'```.*?```', '', page.markdown(), flags=re.DOTALL)
    titles = re.findall(r'^# \S.*$', text, flags=re.MULTILINE)
    assert len(titles) == 1, titles


@pytest.mark.parametrize('page', LEAVES, ids=ids(LEAVES))
def test_section_ends_with_summary_and_exercises(page):
    text = page.markdown()
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
        # gpu 单元也不例外：书中的设备代码在没有 GPU 的机器上退回 CPU
        assert cell.get('execution_count') is not None, f'{where}没有执行'
        for output in cell.get('outputs', []):
            if output['output_type'] == 'error':
                assert 'raises-exception' in tags, f'{where}存着错误输出（有意展示的错误须带 raises-exception 标签）'
            text = ''.join(output.get('text', '')) + ''.join(output.get('data', {}).get('text/plain', ''))
            assert NOTICE_PREFIX not in text, f'{where}的输出来自快速模式；请用 make outputs 重新生成'


ANSWER = re.compile(r'^:::\{admonition\} 练习 (\d+) 参考答案\s*\n:class: dropdown\s*$', re.MULTILINE)
CHAPTERS = sorted({p.chapter for p in NOTEBOOKS if p.number})


def exercises_and_answers(page):
    """(练习数, {答案编号: 答案后的代码单元标签列表})；答案放在练习列表之后。"""
    cells = json.loads((ROOT / page.path).read_text(encoding='utf-8'))['cells']
    start = next(i for i, c in enumerate(cells)
                 if c['cell_type'] == 'markdown' and re.search(r'^## 练习', ''.join(c['source']), re.M))
    exercises, answers, current = 0, {}, None
    for cell in cells[start:]:
        source = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown':
            match = ANSWER.search(source)
            if match:
                current = int(match.group(1))
                assert current not in answers, f'练习 {current} 有两个答案'
                answers[current] = []
            elif current is None:
                exercises += len(re.findall(r'^\d+\. ', source.split('## 练习')[-1], re.M))
        elif current is not None:
            answers[current].append(cell.get('metadata', {}).get('tags', []))
    return exercises, answers


@pytest.mark.parametrize('chapter', CHAPTERS)
def test_a_third_of_exercises_have_folded_executable_answers(chapter):
    total_exercises = total_answers = 0
    for page in (p for p in NOTEBOOKS if p.chapter == chapter):
        exercises, answers = exercises_and_answers(page)
        for number, tags in answers.items():
            assert 1 <= number <= exercises, f'{page.slug}：没有练习 {number}'
            assert tags and all('hide-cell' in t for t in tags), \
                f'{page.slug} 练习 {number}：答案要有代码单元，并带 hide-cell 标签（默认折叠）'
        total_exercises += exercises
        total_answers += len(answers)
    print(f'{chapter}: {total_answers}/{total_exercises} 道练习有参考答案')
    assert 3 * total_answers >= total_exercises, f'{chapter}：{total_answers}/{total_exercises}'
