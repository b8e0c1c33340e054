"""完整模式下执行笔记本，并把输出存回文件（make outputs）。

    python tools/run_notebooks.py book/chapter_preliminaries/ndarray.ipynb ...

所有单元都执行（带 ``gpu`` 标签的单元在没有 CUDA 时退回 CPU）；存储输出的设备种类
（``cpu`` 或 ``cuda``）记在笔记本元数据 ``d2l.outputs_device`` 里，测试据此决定
gpu 单元是否严格比对。
"""
import os
import sys
import time
from pathlib import Path

import nbformat
import torch
from nbclient import NotebookClient


def shorten_tracebacks(nb):
    """有意展示的错误（raises-exception 单元）只保留最后的错误信息：
    完整的调用栈里是本机 site-packages 的绝对路径，对读者没有帮助。"""
    for cell in nb.cells:
        for output in cell.get('outputs', []):
            if output.output_type == 'error':
                output.traceback = [f'{output.ename}: {output.evalue}']


def run(path, position=''):
    print(f'{position}正在执行 {path} …', flush=True)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=None, kernel_name='python3', record_timing=False,
        skip_cells_with_tag='skip-execution',
        resources={'metadata': {'path': str(Path(path).parent)}})
    start = time.perf_counter()
    client.execute()
    shorten_tracebacks(nb)
    nb.metadata.setdefault('d2l', {})['outputs_device'] = (
        'cuda' if torch.cuda.is_available() else 'cpu')
    nbformat.write(nb, path)
    print(f'{position}{path}：完成，用时 {time.perf_counter() - start:.1f} 秒', flush=True)


if __name__ == '__main__':
    os.environ.pop('D2L_QUICK', None)   # 存储的输出一律来自完整模式
    notebooks = sys.argv[1:]
    begin = time.perf_counter()
    for i, notebook in enumerate(notebooks, 1):
        run(notebook, f'[{i}/{len(notebooks)}] ')
    print(f'全部 {len(notebooks)} 个笔记本执行完毕，共 {time.perf_counter() - begin:.0f} 秒')
