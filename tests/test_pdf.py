"""全书的 PDF（make pdf）：页数合理，中文、章节标题与编号、公式都在，目录与网站一致。

文字用 poppler 的 pdftotext 从 PDF 里取出；页面是否好看，请渲染几页看一看（见 README）。
"""
import re
import subprocess

import pytest

from tools import toc


@pytest.fixture(scope='module')
def pdf_text(book_pdf):
    text = subprocess.run(['pdftotext', '-layout', str(book_pdf), '-'],
                          capture_output=True, text=True, check=True).stdout
    return text


def test_page_count_is_sane(book_pdf):
    info = subprocess.run(['pdfinfo', str(book_pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r'Pages:\s+(\d+)', info).group(1))
    assert 300 <= pages <= 2000, pages


def test_every_chapter_is_in_the_pdf_with_the_site_numbering(pdf_text):
    chapters = [page for page in toc.pages() if page.number and '.' not in page.number]
    assert len(chapters) >= 9
    for page in chapters:
        # 目录里有“编号 标题”这一行，编号与网站相同
        assert re.search(rf'^\s*{page.number}\s+{re.escape(page.title())}\s', pdf_text, re.M), \
            (page.number, page.title())
    assert re.search(r'2\.4\s+微积分', pdf_text) and re.search(r'6\.6\s+卷积神经网络（LeNet）', pdf_text)


def test_chinese_text_code_and_math_survive(pdf_text):
    assert '张量' in pdf_text and '梯度下降' in pdf_text
    assert 'import d2l_local as d2l' in pdf_text                     # 代码
    assert re.search(r'loss \d\.\d+, train acc \d\.\d+, test acc \d\.\d+', pdf_text)  # 存储的训练输出
    # 导数的定义 (2.1)：公式排成数学斜体（unicode-math 的 𝑓、𝑥），编号与网站相同
    assert re.search(r'𝑓\s*′\s*\(𝑥\)\s*=\s*lim.*\(2\.1\)', pdf_text)
    assert '\\frac' not in pdf_text and '$$' not in pdf_text          # 公式没有以源码出现
