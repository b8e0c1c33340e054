"""像读者一样检查网站：构建、在 127.0.0.1 上提供服务，用无头 Chromium 打开页面。

浏览器只允许访问 127.0.0.1：公式、图片和搜索必须全部来自构建出的网站本身。
需要 Debian 的 chromium（make install 以 root 运行时会安装）；CI 中缺少它时测试失败而不是跳过。
截图保存在 _build/site-check/。
"""
import functools
import http.server
import io
import subprocess
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / '_build' / 'html'
SHOTS = ROOT / '_build' / 'site-check'


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope='module')
def site_url():
    start = time.perf_counter()
    result = subprocess.run(['make', 'html'], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, '网站构建失败：\n' + (result.stdout + result.stderr)[-4000:]
    print(f'\nmake html 用时 {time.perf_counter() - start:.1f} 秒')
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{server.server_port}'
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_page(browser, site_url):
    """打开网站上的一页；对 127.0.0.1 以外主机的请求一律拦下并记录。"""
    pages, blocked = [], []

    def block_other_hosts(route):
        if urlparse(route.request.url).hostname == '127.0.0.1':
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    def open_(path):
        page = browser.new_page(viewport={'width': 1280, 'height': 1600})
        page.route('**/*', block_other_hosts)
        page.goto(f'{site_url}/{path}', wait_until='networkidle')
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()
    assert blocked == [], f'页面试图访问其他主机：{blocked[:5]}'


def screenshot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_math_is_rendered_offline(open_page):
    page = open_page('book/chapter_preliminaries/calculus.html')
    page.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=20000)
    formulas = page.evaluate("document.querySelectorAll('span.math, div.math').length")
    rendered = page.evaluate("document.querySelectorAll('.math mjx-container').length")
    assert formulas > 20 and rendered == formulas, (formulas, rendered)
    text = page.inner_text('main')
    assert '\\(' not in text and '$$' not in text, '有公式以源码形式显示'
    screenshot(page, 'math-calculus.png')


def test_plots_load(open_page):
    page = open_page('book/chapter_preliminaries/probability.html')
    sizes = page.evaluate("[...document.querySelectorAll('main img')].map(i => i.naturalWidth)")
    assert len(sizes) >= 2 and all(width > 0 for width in sizes), sizes
    page.locator('main img').first.scroll_into_view_if_needed()
    screenshot(page, 'plot-probability.png')


@pytest.mark.parametrize('term, expected_page', [
    ('张量', '数据操作'), ('梯度', '自动微分'), ('softmax', 'softmax回归')])
def test_search_finds_sections(open_page, term, expected_page):
    page = open_page(f'search.html?q={quote(term)}')
    page.wait_for_selector('#search-results ul.search li', timeout=20000)
    titles = page.evaluate(
        "[...document.querySelectorAll('#search-results ul.search li > a')].map(a => a.innerText)")
    assert titles, f'搜索“{term}”没有结果'
    assert any(expected_page in title for title in titles[:10]), titles[:10]
    if term == '张量':
        screenshot(page, 'search-tensor.png')


def test_notebook_download_link(open_page, site_url):
    page = open_page('book/chapter_linear-networks/softmax-regression-scratch.html')
    links = page.evaluate("[...document.querySelectorAll('a')].map(a => a.href)"
                          ".filter(h => h.endsWith('.ipynb'))")
    assert links, '页面上没有 .ipynb 下载链接'
    response = page.request.get(links[0])
    assert response.ok and b'"cells"' in response.body()


def test_front_page_links_to_the_notebook_archive_and_the_pdf(open_page, request):
    """首页链接到笔记本压缩包和 PDF，两个链接都能下载。"""
    page = open_page('book/index.html')
    links = page.evaluate("[...document.querySelectorAll('main a')].map(a => a.href)"
                          ".filter(h => h.includes('/downloads/'))")
    archive = [link for link in links if link.endswith('.zip')]
    pdf = [link for link in links if link.endswith('.pdf')]
    assert archive and pdf, links
    response = page.request.get(archive[0])
    assert response.ok
    names = zipfile.ZipFile(io.BytesIO(response.body())).namelist()
    assert any(name.endswith('chapter_convolutional-neural-networks/lenet.ipynb') for name in names)
    assert any(name.endswith('d2l_local/__init__.py') for name in names)
    assert any(name.endswith('/README.md') for name in names)
    request.getfixturevalue('book_pdf')   # 排版 PDF（只排一次），它会被复制进网站的 downloads/
    response = page.request.get(pdf[0])
    assert response.ok and response.body()[:5] == b'%PDF-'
