"""pytest 钩子：笔记本输出的比对规则（数字带容差）、gpu 单元、快速模式说明的过滤，以及笔记本单元的统计。

放在仓库根目录，所以无论 pytest 跑的是 tests/、全部笔记本（make test）还是单个笔记本，
这些钩子都生效。
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

try:
    import nbval.plugin as nbval_plugin
except ImportError:   # 没装 nbval 时只跑 tests/
    nbval_plugin = None

from d2l_local import workload
from d2l_local.workload import NOTICE_PREFIX
from tests import output_compare

ROOT = Path(__file__).resolve().parent
QUICK_NOTICE = re.compile(r'^' + re.escape(NOTICE_PREFIX) + r'.*(\n|$)', re.MULTILINE)


def drop_quick_notices(outputs):
    """比对之前去掉快速模式的说明行；只含说明行的输出流整个去掉。

    存储的输出来自完整模式，没有这些说明；快速模式运行时多出的说明行不算差异。
    """
    kept = []
    for output in outputs:
        if output.get('output_type') == 'stream':
            text = QUICK_NOTICE.sub('', output.get('text', ''))
            if not text:
                continue
            output = nbformat.from_dict(dict(output, text=text))
        kept.append(output)
    return kept


def _flatten_outputs(cell, outputs, skip_compare):
    """按 nbval 的方式把输出列表整理成 {字段: [值, ...]}：data 里的 MIME 类型展开成字段。"""
    flat = {}
    for output in nbval_plugin.transform_streams_for_comparison(drop_quick_notices(outputs)):
        for key, value in output.items():
            if key in skip_compare:
                continue
            items = value.items() if key == 'data' else [(key, value)]
            for field, content in items:
                if field not in skip_compare:
                    flat.setdefault(field, []).append(cell.sanitize(content))
    return flat


def compare_outputs(self, test, ref, skip_compare=None):
    """替换 nbval 的逐字比较：字段和输出个数仍须一致，每个值按 tests/output_compare.py 的规则比较。"""
    skip_compare = skip_compare or self.parent.skip_compare
    fresh = _flatten_outputs(self, test, skip_compare)
    stored = _flatten_outputs(self, ref, skip_compare)
    self.comparison_traceback = []
    if set(fresh) != set(stored):
        self.comparison_traceback.append(
            f'输出字段不同：存储的有 {sorted(stored)}，本次有 {sorted(fresh)}')
        return False
    for field, stored_values in stored.items():
        fresh_values = fresh[field]
        if len(fresh_values) != len(stored_values):
            self.comparison_traceback.append(
                f'字段 {field!r} 的输出个数不同：存储的有 {len(stored_values)} 个，本次有 {len(fresh_values)} 个')
            self.format_output_compare(field, '\n'.join(map(str, stored_values)),
                                       '\n'.join(map(str, fresh_values)))
            return False
        for stored_value, fresh_value in zip(stored_values, fresh_values):
            result = output_compare.compare_values(stored_value, fresh_value)
            DRIFT_LOG.record(self, field, result)
            if not result:
                self.format_output_compare(field, stored_value, fresh_value)
                self.comparison_traceback.append(result.problem)
                return False
    return True


class DriftLog:
    """设置环境变量 D2L_DRIFT_LOG=文件 时，把每个单元里浮点数的最大相对漂移追加写进该文件（JSON 行）。

    tools/drift_table.py 把几次运行的记录汇总成 tests/DRIFT.md 里的表。
    """

    def __init__(self, path):
        self.path = Path(path) if path else None

    def record(self, cell, field, result):
        if self.path is None or not result.floats:
            return
        notebook = Path(str(cell.fspath)).resolve()
        if notebook.is_relative_to(ROOT):
            notebook = notebook.relative_to(ROOT)
        entry = {'notebook': notebook.as_posix(),
                 'cell': cell.cell_num, 'field': field, 'floats': result.floats,
                 'max_relative': result.max_relative, 'passed': bool(result)}
        with open(self.path, 'a', encoding='utf-8') as log:
            log.write(json.dumps(entry) + '\n')


DRIFT_LOG = DriftLog(os.environ.get('D2L_DRIFT_LOG'))

if nbval_plugin is not None:
    nbval_plugin.IPyNbCell.compare_outputs = compare_outputs


def _is_notebook_cell(item):
    return nbval_plugin is not None and isinstance(item, nbval_plugin.IPyNbCell)


def device_kind():
    """本机训练用的设备种类：'cuda' 或 'cpu'。"""
    try:
        import torch
    except ImportError:
        return 'cpu'
    return 'cuda' if torch.cuda.is_available() else 'cpu'


def pytest_collection_modifyitems(config, items):
    """带 gpu 标签的单元：输出取决于本机有没有 GPU。

    这些单元在任何机器上都运行（书中的设备代码都会退回 CPU）；只有本机的设备种类与
    存储输出时的相同（笔记本元数据 d2l.outputs_device，缺省为 cpu）才严格比对输出。
    """
    here = device_kind()
    for item in items:
        if _is_notebook_cell(item) and 'gpu' in item.cell.get('metadata', {}).get('tags', []):
            stored = item.parent.nb.metadata.get('d2l', {}).get('outputs_device', 'cpu')
            if stored != here:
                item.options['check'] = False


class NotebookStats:
    """统计笔记本单元：严格比对、忽略输出、跳过各有多少。

    作为插件在 pytest_configure 时注册一次，整个会话共用一份计数。
    """

    def __init__(self):
        self.cells = {'strict': 0, 'ignored': 0, 'skipped': 0}
        self.notebooks = set()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if not _is_notebook_cell(item):
            return
        if report.skipped and report.when in ('setup', 'call'):
            self.cells['skipped'] += 1
        elif report.when == 'call':
            self.notebooks.add(str(item.fspath))
            self.cells['strict' if item.options['check'] else 'ignored'] += 1

    def pytest_terminal_summary(self, terminalreporter):
        cells = self.cells
        ran = cells['strict'] + cells['ignored']
        if not ran and not cells['skipped']:
            return
        share = 100 * cells['ignored'] / ran if ran else 0
        terminalreporter.write_sep('=', '笔记本统计')
        terminalreporter.write_line(
            f'运行了 {len(self.notebooks)} 个笔记本的 {ran} 个代码单元：'
            f'严格比对输出 {cells["strict"]} 个，忽略输出 {cells["ignored"]} 个（{share:.1f}%）；'
            f'跳过 {cells["skipped"]} 个')


def pytest_configure(config):
    config.pluginmanager.register(NotebookStats(), 'd2l-notebook-stats')


@pytest.fixture(scope='module')
def reference_workdir(tmp_path_factory):
    """为对照的 d2l 0.17.6 准备数据并切换工作目录：它在 '../data' 里找数据文件。"""
    sys.path.insert(0, str(Path(__file__).resolve().parent / 'tools'))
    from d2l_reference import prepare_reference_root   # 与 make bench 共用
    workdir = prepare_reference_root(tmp_path_factory.mktemp('reference'))
    cwd = os.getcwd()
    os.chdir(workdir)
    yield workdir
    os.chdir(cwd)


def unavailable(reason):
    """浏览器或排版工具不在时：CI 中判为失败（CI 必须运行这些检查），其他地方跳过并说明原因。"""
    if os.environ.get('CI'):
        pytest.fail(f'{reason}：CI 必须运行这项检查')
    pytest.skip(reason)


@pytest.fixture(scope='session')
def browser():
    """无头 Chromium（Debian 的 chromium，由 playwright 驱动），网站检查和 JupyterLab 检查共用。"""
    executable = shutil.which('chromium') or shutil.which('chromium-browser')
    if executable is None:
        unavailable('没有找到 Chromium')
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable('没有安装 playwright')
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=[
            '--no-sandbox', '--disable-gpu', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', '--no-first-run'])
        yield chromium
        chromium.close()


@pytest.fixture(scope='session')
def book_pdf():
    """运行一次 make pdf，返回 PDF 的路径。"""
    sys.path.insert(0, str(ROOT / 'tools'))
    import build_pdf
    missing = build_pdf.missing_tools()
    if missing:
        unavailable('没有排版 PDF 的工具：' + '；'.join(missing) + '（make install 以 root 运行时会从 Debian 安装）')
    result = subprocess.run(['make', 'pdf'], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, 'make pdf 失败：\n' + (result.stdout + result.stderr)[-4000:]
    print('\n' + result.stdout.strip())
    return build_pdf.PDF


@pytest.fixture(autouse=True)
def fresh_workload_notices():
    """每个测试都从“还没打印过任何缩减说明”开始。"""
    workload.reset_notices()
