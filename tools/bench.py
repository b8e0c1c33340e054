"""make bench：把本书的加载器与 d2l 0.17.6 的放在同一次运行里比较，打印比值。

    python tools/bench.py

d2l 0.17.6 的加载器用 torchvision 读 '../data/FashionMNIST/raw' 中解压后的文件，
逐张图像做 PIL 转换，并开 4 个子进程；本书的加载器在内存中的张量上按批取数据。
计时包括创建迭代器（d2l 每轮都要重新启动子进程）。
"""
import gzip
import os
import statistics
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

import d2l_local


def images_per_second(loader, max_batches=None):
    start, count = time.perf_counter(), 0
    for i, (X, y) in enumerate(loader):
        count += len(y)
        if max_batches is not None and i + 1 == max_batches:
            break
    return count / (time.perf_counter() - start)


def repeated(measure, repeats):
    """重复测量，返回 (最小值, 中位数, 最大值)。"""
    values = [measure() for _ in range(repeats)]
    return min(values), statistics.median(values), max(values)


def spread(values):
    low, middle, high = values
    return f'{middle:,.0f} 张/秒（{low:,.0f}–{high:,.0f}）'


def prepare_reference_root(root):
    raw = Path(root) / 'data' / 'FashionMNIST' / 'raw'
    raw.mkdir(parents=True)
    for gz in d2l_local.hub.fetch('fashion-mnist').glob('*.gz'):
        with gzip.open(gz, 'rb') as src, open(raw / gz.stem, 'wb') as dst:
            shutil.copyfileobj(src, dst)
    (Path(root) / 'work').mkdir()
    return Path(root) / 'work'


def bench_loaders(reference, repeats=3):
    print(f'Fashion-MNIST 加载器（torch {torch.__version__}，{torch.get_num_threads()} 个线程，'
          f'{os.cpu_count()} 个 CPU 核；每项重复 {repeats} 次，给出中位数和最小–最大值）')
    rows = []
    for label, batch_size, resize, max_batches in [
            ('训练集一轮，batch 256', 256, None, None),
            ('20 个批量，batch 256，resize 224', 256, 224, 20)]:
        ours_train, ours_test = d2l_local.load_data_fashion_mnist(batch_size, resize)
        theirs_train, theirs_test = reference.load_data_fashion_mnist(batch_size, resize)
        ours = repeated(lambda: images_per_second(ours_train, max_batches), repeats)
        theirs = repeated(lambda: images_per_second(theirs_train, max_batches), repeats)
        (X1, y1), (X2, y2) = next(iter(ours_test)), next(iter(theirs_test))
        assert torch.equal(y1, y2)
        difference = (X1 - X2).abs().max().item()
        rows.append((label, ours, theirs, difference))
        print(f'  {label}:\n    d2l_local   {spread(ours)}\n    d2l 0.17.6  {spread(theirs)}\n'
              f'    比值（中位数）{ours[1] / theirs[1]:.1f}×；同一批测试图像的最大像素差 {difference:.6f}',
              flush=True)
    return rows


def main():
    os.environ.pop('D2L_QUICK', None)   # 基准测试总在完整模式下进行
    try:
        from d2l import torch as reference
    except ImportError:
        sys.exit('需要对照包：pip install --no-deps d2l==0.17.6')
    d2l_local.read_fashion_mnist(True), d2l_local.read_fashion_mnist(False)   # 先解码，不计入
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as root:
        os.chdir(prepare_reference_root(root))
        try:
            bench_loaders(reference)
        finally:
            os.chdir(cwd)


if __name__ == '__main__':
    main()
