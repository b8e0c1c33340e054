"""make bench：把本书的加载器和训练函数与 d2l 0.17.6 的放在同一次运行里比较，打印比值。

    python tools/bench.py                 # 全部
    python tools/bench.py loaders lenet   # 只跑其中几项（loaders、lenet、rnn、seq2seq、ch7）

d2l 0.17.6 的加载器用 torchvision 读 '../data/FashionMNIST/raw' 中解压后的文件，
逐张图像做 PIL 转换，并开 4 个子进程；本书的加载器在内存中的张量上按批取数据。
计时包括创建迭代器（d2l 每轮都要重新启动子进程）。训练函数的比较里，两边的
Animator 都换成不画图的空壳，计时只含训练和评估本身；两边轮流运行，同样的随机种子。
"""
import contextlib
import warnings
import io
import random
import re
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

import d2l_local
from d2l_reference import prepare_reference_root


def images_per_second(loader, max_batches=None):
    start, count = time.perf_counter(), 0
    for i, (X, y) in enumerate(loader):
        count += len(y)
        if max_batches is not None and i + 1 == max_batches:
            break
    return count / (time.perf_counter() - start)


def summary(values):
    """(最小值, 中位数, 最大值)。"""
    return min(values), statistics.median(values), max(values)


def repeated(measure, repeats):
    """重复测量，返回 (最小值, 中位数, 最大值)。"""
    return summary([measure() for _ in range(repeats)])


def spread(values, unit='张/秒'):
    low, middle, high = values
    return f'{middle:,.0f} {unit}（{low:,.0f}–{high:,.0f}）'


def implementations(reference):
    """比较的两边，本书在前。"""
    return {'d2l_local': d2l_local, 'd2l 0.17.6': reference}


def bench_loaders(reference, repeats=3):
    print('Fashion-MNIST 加载器')
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


class SilentAnimator:
    """代替两边的 Animator：不画图也不打印，谁都不为画图花时间。"""

    def __init__(self, *args, **kwargs):
        pass

    def add(self, x, y):
        pass


def run_quietly(train, *args):
    """运行 train(*args)，返回 (秒数, 它打印的各行)。"""
    buffer = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(buffer):
        train(*args)
    return time.perf_counter() - start, buffer.getvalue().splitlines()


def number_after(label, lines):
    """在打印的行里找 'label 数字'，返回最后一次出现的数字。"""
    found = re.findall(re.escape(label) + r' ([0-9.]+)', '\n'.join(lines))
    return float(found[-1])


def compare(title, unit, runs):
    """runs: {名字: [(每秒处理量, 结果), ...]}；打印两边的中位数、范围和比值。"""
    print(title)
    medians = {}
    for name, values in runs.items():
        speeds = summary([speed for speed, _ in values])
        medians[name] = speeds[1]
        print(f'    {name:<11} {spread(speeds, unit)}；'
              f'结果 {", ".join(f"{result:.3f}" for _, result in values)}', flush=True)
    ours, theirs = medians.values()
    print(f'    比值（中位数）{ours / theirs:.2f}×', flush=True)


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def bench_train_ch6(reference, epochs=10, repeats=3):
    """LeNet 经 train_ch6 训练 epochs 轮（batch 256，lr 0.9）：每秒样本数与测试精度。"""
    modules = implementations(reference)
    loaders = {name: module.load_data_fashion_mnist(256) for name, module in modules.items()}
    runs = {name: [] for name in modules}
    for seed in range(repeats):
        for name, module in modules.items():   # 两边轮流，机器状态的起伏由两边分担
            torch.manual_seed(seed)
            seconds, lines = run_quietly(module.train_ch6, lenet(), *loaders[name], epochs, 0.9,
                                         torch.device('cpu'))
            runs[name].append((60000 * epochs / seconds, number_after('test acc', lines)))
    compare(f'LeNet 经 train_ch6 训练 {epochs} 轮（含每轮的测试集评估；结果 = 测试精度）',
            '样本/秒', runs)
    load_seconds = {name: statistics.median(
        [60000 / images_per_second(loaders[name][0]) for _ in range(repeats)]) for name in modules}
    print('    其中仅遍历一轮训练集所需的秒数：'
          + '，'.join(f'{name} {t:.1f} 秒' for name, t in load_seconds.items()), flush=True)


def bench_train_ch8(reference, epochs=30, repeats=3):
    """简洁实现的 RNN（nn.RNN，256 个隐藏单元）经 train_ch8 训练 epochs 轮：词元/秒与困惑度。"""
    modules = implementations(reference)
    data = {name: module.load_data_time_machine(32, 35) for name, module in modules.items()}
    tokens_per_epoch = sum(X.numel() for X, _ in data['d2l_local'][0])
    runs = {name: [] for name in modules}
    for seed in range(repeats):
        for name, module in modules.items():
            train_iter, vocab = data[name]
            random.seed(seed)
            torch.manual_seed(seed)
            net = module.RNNModel(nn.RNN(len(vocab), 256), len(vocab))
            seconds, lines = run_quietly(module.train_ch8, net, train_iter, vocab, 1, epochs,
                                         torch.device('cpu'))
            runs[name].append((tokens_per_epoch * epochs / seconds, number_after('perplexity', lines)))
    compare(f'简洁 RNN 经 train_ch8 训练 {epochs} 轮（batch 32，35 步，lr 1；结果 = 困惑度）',
            '词元/秒', runs)


def bench_train_seq2seq(reference, epochs=30, repeats=3):
    """seq2seq（嵌入 32、隐藏 32、2 层 GRU、dropout 0.1）经 train_seq2seq 训练 epochs 轮：词元/秒与损失。

    d2l 0.17.6 的包里没有保存解码器（它只在书中定义），两边都用本书的 Seq2SeqDecoder；
    编码器、EncoderDecoder、数据和训练函数各用各的。
    """
    modules = implementations(reference)
    data = {name: module.load_data_nmt(64, 10) for name, module in modules.items()}
    tokens_per_epoch = sum(int(Y_valid_len.sum()) for _, _, _, Y_valid_len in data['d2l_local'][0])
    runs = {name: [] for name in modules}
    for seed in range(repeats):
        for name, module in modules.items():
            train_iter, src_vocab, tgt_vocab = data[name]
            torch.manual_seed(seed)
            net = module.EncoderDecoder(
                module.Seq2SeqEncoder(len(src_vocab), 32, 32, 2, 0.1),
                d2l_local.Seq2SeqDecoder(len(tgt_vocab), 32, 32, 2, 0.1))
            seconds, lines = run_quietly(module.train_seq2seq, net, train_iter, 0.005, epochs,
                                         tgt_vocab, torch.device('cpu'))
            runs[name].append((tokens_per_epoch * epochs / seconds, number_after('loss', lines)))
    compare(f'seq2seq 经 train_seq2seq 训练 {epochs} 轮（batch 64，10 步，lr 0.005；结果 = 损失）',
            '词元/秒', runs)


def ch7_networks():
    """第 7 章的六个网络（结构与各节相同；AlexNet 和 VGG 带自适应平均汇聚层），以及书中的批量大小和图像边长。"""
    conv = lambda c_in, c_out, k, **kw: [nn.Conv2d(c_in, c_out, k, **kw), nn.ReLU()]

    def alexnet():
        return nn.Sequential(
            *conv(1, 96, 11, stride=4, padding=1), nn.MaxPool2d(3, 2), *conv(96, 256, 5, padding=2),
            nn.MaxPool2d(3, 2), *conv(256, 384, 3, padding=1), *conv(384, 384, 3, padding=1),
            *conv(384, 256, 3, padding=1), nn.MaxPool2d(3, 2), nn.AdaptiveAvgPool2d((5, 5)), nn.Flatten(),
            nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(),
            nn.Dropout(0.5), nn.Linear(4096, 10))

    def vgg():
        layers, c_in = [], 1
        for num_convs, c_out in ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128)):
            for _ in range(num_convs):
                layers += conv(c_in, c_out, 3, padding=1)
                c_in = c_out
            layers.append(nn.MaxPool2d(2, 2))
        return nn.Sequential(*layers, nn.AdaptiveAvgPool2d((7, 7)), nn.Flatten(),
                             nn.Linear(128 * 49, 4096), nn.ReLU(), nn.Dropout(0.5),
                             nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 10))

    def nin():
        block = lambda c_in, c_out, k, s, p: nn.Sequential(
            *conv(c_in, c_out, k, stride=s, padding=p), *conv(c_out, c_out, 1), *conv(c_out, c_out, 1))
        return nn.Sequential(block(1, 96, 11, 4, 0), nn.MaxPool2d(3, 2), block(96, 256, 5, 1, 2),
                             nn.MaxPool2d(3, 2), block(256, 384, 3, 1, 1), nn.MaxPool2d(3, 2),
                             nn.Dropout(0.5), block(384, 10, 3, 1, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten())

    class Inception(nn.Module):
        def __init__(self, c_in, c1, c2, c3, c4):
            super().__init__()
            self.paths = nn.ModuleList([
                nn.Sequential(*conv(c_in, c1, 1)),
                nn.Sequential(*conv(c_in, c2[0], 1), *conv(c2[0], c2[1], 3, padding=1)),
                nn.Sequential(*conv(c_in, c3[0], 1), *conv(c3[0], c3[1], 5, padding=2)),
                nn.Sequential(nn.MaxPool2d(3, 1, 1), *conv(c_in, c4, 1))])

        def forward(self, X):
            return torch.cat([path(X) for path in self.paths], dim=1)

    def googlenet():
        pool = lambda: nn.MaxPool2d(3, 2, 1)
        return nn.Sequential(
            *conv(1, 64, 7, stride=2, padding=3), pool(), *conv(64, 64, 1), *conv(64, 192, 3, padding=1), pool(),
            Inception(192, 64, (96, 128), (16, 32), 32), Inception(256, 128, (128, 192), (32, 96), 64), pool(),
            Inception(480, 192, (96, 208), (16, 48), 64), Inception(512, 160, (112, 224), (24, 64), 64),
            Inception(512, 128, (128, 256), (24, 64), 64), Inception(512, 112, (144, 288), (32, 64), 64),
            Inception(528, 256, (160, 320), (32, 128), 128), pool(),
            Inception(832, 256, (160, 320), (32, 128), 128), Inception(832, 384, (192, 384), (48, 128), 128),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1024, 10))

    def stem():
        return [nn.Conv2d(1, 64, 7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]

    def resnet():
        stages, c_in = [], 64
        for c_out in (64, 128, 256, 512):
            first = c_out == 64
            stages += [d2l_local.Residual(c_in, c_out, use_1x1conv=not first, strides=1 if first else 2),
                       d2l_local.Residual(c_out, c_out)]
            c_in = c_out
        return nn.Sequential(*stem(), *stages, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10))

    class DenseBlock(nn.Module):
        def __init__(self, num_convs, c_in, growth):
            super().__init__()
            self.convs = nn.ModuleList(
                nn.Sequential(nn.BatchNorm2d(c_in + i * growth), nn.ReLU(),
                              nn.Conv2d(c_in + i * growth, growth, 3, padding=1)) for i in range(num_convs))

        def forward(self, X):
            for block in self.convs:
                X = torch.cat((X, block(X)), dim=1)
            return X

    def densenet():
        layers, channels = stem(), 64
        for i in range(4):
            layers.append(DenseBlock(4, channels, 32))
            channels += 4 * 32
            if i < 3:
                layers += [nn.BatchNorm2d(channels), nn.ReLU(), nn.Conv2d(channels, channels // 2, 1),
                           nn.AvgPool2d(2, 2)]
                channels //= 2
        return nn.Sequential(*layers, nn.BatchNorm2d(channels), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                             nn.Flatten(), nn.Linear(channels, 10))

    return {'AlexNet': (alexnet, 128, 224), 'VGG': (vgg, 128, 224), 'NiN': (nin, 128, 224),
            'GoogLeNet': (googlenet, 128, 96), 'ResNet-18': (resnet, 256, 96), 'DenseNet': (densenet, 256, 96)}


def bench_ch7(reference):
    """第 7 章：书中设置（原图像边长、float32）与只有 CPU 时的计划（较小的图像、bfloat16）的训练速度。"""
    del reference   # 这一项不与 d2l 0.17.6 对照
    from d2l_local import workload
    bf16 = workload.cpu_supports_bfloat16()
    print(f'第 7 章的训练速度（样本/秒，训练模式，{torch.get_num_threads()} 个线程；bfloat16 指令：{"有" if bf16 else "无"}）')
    print('| 网络 | 书中边长 NCHW float32 | 书中边长 channels_last float32 | CPU 边长 | CPU 边长 float32 | CPU 边长 bfloat16 |')
    print('|---|---:|---:|---:|---:|---:|')
    for name, (build, batch_size, side) in ch7_networks().items():
        torch.manual_seed(0)
        net = build()
        small = workload.smallest_side(net, side)

        def speed(size, channels_last, bfloat16):
            X, y = torch.rand(batch_size, 1, size, size), torch.randint(0, 10, (batch_size,))
            return workload.training_speed(net, X, y, bfloat16, channels_last, steps=4)

        rates = [speed(side, False, False), speed(side, True, False), speed(small, True, False),
                 speed(small, True, True) if bf16 else float('nan')]
        print(f'| {name} | {rates[0]:.1f} | {rates[1]:.1f} | {small}×{small} | {rates[2]:.1f} | {rates[3]:.1f} |', flush=True)


BENCHES = {'loaders': bench_loaders, 'lenet': bench_train_ch6, 'rnn': bench_train_ch8,
           'seq2seq': bench_train_seq2seq, 'ch7': bench_ch7}


def main(names):
    os.environ.pop('D2L_QUICK', None)   # 基准测试总在完整模式下进行
    try:
        from d2l import torch as reference
    except ImportError:
        sys.exit('需要对照包：pip install --no-deps d2l==0.17.6')
    unknown = set(names) - set(BENCHES)
    if unknown:
        sys.exit(f'未知的项目：{", ".join(sorted(unknown))}；可选 {", ".join(BENCHES)}')
    d2l_local.read_fashion_mnist(True), d2l_local.read_fashion_mnist(False)   # 先解码，不计入
    for module in (d2l_local, reference):
        module.Animator = SilentAnimator
    # d2l 0.17.6 的 Accumulator 对带梯度的张量调用 float()，每批都会警告一次
    warnings.filterwarnings('ignore', message='Converting a tensor with requires_grad=True')
    print(f'torch {torch.__version__}，{torch.get_num_threads()} 个线程，{os.cpu_count()} 个 CPU 核；'
          '每项重复 3 次，给出中位数和最小–最大值', flush=True)
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as root:
        os.chdir(prepare_reference_root(root))
        try:
            for name in names or BENCHES:
                BENCHES[name](reference)
        finally:
            os.chdir(cwd)


if __name__ == '__main__':
    main(sys.argv[1:])
