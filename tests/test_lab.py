"""像读者一样使用 JupyterLab：启动 jupyter lab，在无头 Chromium 里打开一节，重启内核并运行全部单元。

检查：没有单元报错；训练曲线画成了图；内核就是本项目的环境（import d2l_local 成功，sys.prefix 是 .venv）；
MyST 标记（折叠的参考答案、提示框、交叉引用）经 jupyterlab-myst 渲染，页面上看不到 ``:::{`` 或 ``{ref}`` 这样的源码。

笔记本先复制到临时目录再打开，JupyterLab 的自动保存不会改动书中的文件。快速模式（D2L_QUICK=1）。
浏览器由 conftest.py 的 browser 提供（Debian 的 chromium；CI 中缺少它时测试失败而不是跳过）。截图保存在 _build/lab-check/。
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / '_build' / 'lab-check'
NOTEBOOK = ROOT / 'book' / 'chapter_convolutional-neural-networks' / 'lenet.ipynb'
TOKEN = 'd2l-local-lab-check'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    """在临时目录里启动 jupyter lab，返回 (地址, 笔记本文件名)。"""
    work = tmp_path_factory.mktemp('lab')
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    # 关掉笔记本的虚拟化渲染，页面上才有全部单元的文字可查
    # 不弹出“是否订阅 Jupyter 新闻”的通知
    user_settings = {'notebook-extension/tracker': {'windowingMode': 'none'},
                     'apputils-extension/notification': {'fetchNews': 'false', 'checkForUpdates': False}}
    for name, values in user_settings.items():
        path = work / '.settings' / '@jupyterlab' / f'{name}.jupyterlab-settings'
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port = free_port()
    env = dict(os.environ, D2L_QUICK='1', JUPYTERLAB_SETTINGS_DIR=str(work / '.settings'),
               JUPYTERLAB_WORKSPACES_DIR=str(work / '.workspaces'))
    jupyter = Path(sys.executable).with_name('jupyter')
    log = open(work / 'server.log', 'w')   # 写进文件：管道写满会让服务器卡住
    server = subprocess.Popen(
        [str(jupyter), 'lab', '--no-browser', f'--port={port}', '--ip=127.0.0.1',
         f'--ServerApp.token={TOKEN}', f'--ServerApp.root_dir={work}',
         '--LabApp.expose_app_in_browser=True', '--allow-root'],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f'{url}/api/status?token={TOKEN}', timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail('jupyter lab 没有启动：\n' + (work / 'server.log').read_text()[-3000:])
                time.sleep(0.5)
        else:
            pytest.fail('jupyter lab 60 秒内没有响应')
        yield url, NOTEBOOK.name
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope='module')
def notebook_page(browser, lab):
    """打开笔记本，清空存储的输出，重启内核并运行全部单元，等到运行结束；返回页面。"""
    url, name = lab
    page = browser.new_page(viewport={'width': 1400, 'height': 1000})
    page.goto(f'{url}/lab/tree/{name}?token={TOKEN}')
    page.wait_for_function('window.jupyterapp && window.jupyterapp.shell.currentWidget'
                           ' && window.jupyterapp.shell.currentWidget.sessionContext', timeout=120000, polling=500)
    page.wait_for_function('window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel',
                           timeout=120000, polling=500)
    # 先清空存储的输出和执行序号，下面的“运行结束”就不会被文件里原有的序号骗过
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    start = time.perf_counter()
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:restart-run-all'); }")
    page.click('.jp-Dialog .jp-mod-accept', timeout=30000)   # 确认“重启内核”
    # 运行结束：每个代码单元都有执行序号，而且内核空闲
    page.wait_for_function('''() => {
        const panel = window.jupyterapp.shell.currentWidget;
        const cells = panel.content.widgets.filter(c => c.model.type === 'code');
        return cells.length > 0 && cells.every(c => c.model.executionCount !== null)
            && panel.sessionContext.session.kernel.status === 'idle';
    }''', timeout=600000, polling=1000)
    print(f'\nJupyterLab 中运行全部单元用时 {time.perf_counter() - start:.1f} 秒')
    yield page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / 'lenet-top.png'))
    plot = page.locator('.jp-Cell', has_text='examples/sec').last
    if plot.count():
        plot.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / 'lenet-training-plot.png'))
    answer = page.locator('.jp-MarkdownCell', has=page.locator('details.myst-admonition')).first
    if answer.count():
        answer.scroll_into_view_if_needed()
        answer.screenshot(path=str(SHOTS / 'lenet-folded-answer.png'))
    page.close()


def cell_outputs(page):
    return page.evaluate('''() => window.jupyterapp.shell.currentWidget.content.widgets
        .filter(c => c.model.type === 'code')
        .map(c => c.model.outputs.toJSON())''')


def test_no_cell_shows_an_error(notebook_page):
    errors = [output for outputs in cell_outputs(notebook_page) for output in outputs
              if output['output_type'] == 'error']
    assert errors == [], [f"{e['ename']}: {e['evalue']}" for e in errors]
    assert notebook_page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]').count() == 0


def test_training_plot_is_rendered(notebook_page):
    plots = notebook_page.locator('.jp-OutputArea-output .jp-RenderedSVG svg, .jp-OutputArea-output img')
    assert plots.count() >= 1
    box = plots.last.bounding_box()
    assert box and box['width'] > 100 and box['height'] > 100, box
    texts = '\n'.join(o.get('text', '') for outputs in cell_outputs(notebook_page) for o in outputs)
    assert 'examples/sec' in texts and 'test acc' in texts


def test_kernel_is_the_project_environment(notebook_page):
    source = "import sys, d2l_local; print(sys.prefix); print(d2l_local.__file__)"
    printed = notebook_page.evaluate('''async (code) => {
        const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        let text = '';
        const future = kernel.requestExecute({code});
        future.onIOPub = msg => { if (msg.header.msg_type === 'stream') text += msg.content.text; };
        await future.done;
        return text;
    }''', source)
    prefix, package = printed.split()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve()
    assert Path(package).resolve().is_relative_to(ROOT)


def test_myst_markup_is_rendered(notebook_page):
    text = notebook_page.inner_text('.jp-Notebook')
    for raw in (':::{', '{ref}', '{numref}', ':class: dropdown'):
        assert raw not in text, f'页面上出现了 MyST 源码 {raw!r}'
    # 交叉引用显示为小节标题，而不是 sec-xxx 这样的标签
    assert not re.search(r'\bsec-[a-z]', text), re.search(r'.{30}\bsec-[a-z].{30}', text)
    assert '多层感知机的简洁实现' in text
    # 参考答案是默认折叠的下拉框
    answers = notebook_page.locator('.myst details.myst-admonition')
    assert answers.count() >= 3
    assert notebook_page.locator('.myst details.myst-admonition[open]').count() == 0
