"""《动手学深度学习》（PyTorch 版）配套包 d2l_local。

本文件由 tools/build_lib.py 从书中标记为 #@save 的代码单元生成，请勿手工修改：
修改书中的单元后运行 `make lib`。用法与经典的 d2l 0.17.6 相同：

    import d2l_local as d2l

hub（数据登记与获取）和 quick（快速模式）是手写的支撑模块；later_chapters 列出经典 d2l 中
属于本书之后各章的名字，访问它们时给出说明。
"""

import collections
import copy
import functools
import gzip
import math
import numpy as np
import os
import random
import re
import struct
import sys
import time
import torch
from IPython import display
from matplotlib import pyplot as plt
from matplotlib_inline import backend_inline
from torch import nn
from torch.nn import functional as F
from torch.utils import data
from d2l_local import hub, later_chapters, quick

d2l = sys.modules[__name__]


# 2.1 数据操作 · chapter_preliminaries/ndarray
ones, zeros, eye = torch.ones, torch.zeros, torch.eye

tensor, arange, linspace = torch.tensor, torch.arange, torch.linspace

normal, rand, meshgrid = torch.normal, torch.rand, torch.meshgrid

sin, sinh, cos, cosh, tanh = torch.sin, torch.sinh, torch.cos, torch.cosh, torch.tanh

exp, log, abs = torch.exp, torch.log, torch.abs

matmul, concat, stack = torch.matmul, torch.cat, torch.stack

int32, float32 = torch.int32, torch.float32

nn_Module = nn.Module


# 2.1 数据操作 · chapter_preliminaries/ndarray
def numpy(x, *args, **kwargs):
    """张量转成 NumPy 数组；先 detach，带梯度的张量也能转换。"""
    return x.detach().numpy(*args, **kwargs)


# 2.1 数据操作 · chapter_preliminaries/ndarray
def _method_as_function(name, method):
    """生成别名 d2l.<name>(x, ...)，它就是 x.<method>(...)。"""
    def alias(x, *args, **kwargs):
        return getattr(x, method)(*args, **kwargs)
    alias.__name__ = alias.__qualname__ = name
    alias.__doc__ = f'd2l.{name}(x, ...) 即 x.{method}(...)。'
    return alias


# 2.1 数据操作 · chapter_preliminaries/ndarray
size = _method_as_function('size', 'numel')

reshape = _method_as_function('reshape', 'reshape')

to = _method_as_function('to', 'to')

reduce_sum = _method_as_function('reduce_sum', 'sum')

argmax = _method_as_function('argmax', 'argmax')

astype = _method_as_function('astype', 'type')

transpose = _method_as_function('transpose', 't')


# 2.4 微积分 · chapter_preliminaries/calculus
def use_svg_display():
    """让 Jupyter 以 SVG 矢量格式显示图形。"""
    backend_inline.set_matplotlib_formats('svg')


# 2.4 微积分 · chapter_preliminaries/calculus
def set_figsize(figsize=(3.5, 2.5)):
    """使用 SVG 显示，并设置 matplotlib 图形的默认尺寸。"""
    use_svg_display()
    plt.rcParams['figure.figsize'] = figsize


# 2.4 微积分 · chapter_preliminaries/calculus
def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """设置坐标轴的标签、范围、刻度类型和图例，并打开网格。"""
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


# 2.4 微积分 · chapter_preliminaries/calculus
def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None,
         ylim=None, xscale='linear', yscale='linear',
         fmts=('-', 'm--', 'g-.', 'r:'), figsize=(3.5, 2.5), axes=None):
    """在一张图里画一条或多条曲线。

    X、Y 可以是一条序列（一维张量、数组或数字列表），也可以是若干条序列组成的列表；
    只给 X 时把它当作纵坐标，横坐标取 0, 1, 2, ...
    """
    def as_curves(data):
        one_curve = (getattr(data, 'ndim', None) == 1 or
                     (isinstance(data, list) and len(data) > 0
                      and not hasattr(data[0], '__len__')))
        return [data] if one_curve else list(data)

    set_figsize(figsize)
    if axes is None:
        axes = plt.gca()
    xs = as_curves(X)
    if Y is None:                 # 只给了纵坐标
        xs, ys = [None] * len(xs), xs
    else:
        ys = as_curves(Y)
        if len(xs) != len(ys):    # 多条曲线共用同一组横坐标
            xs = xs * len(ys)
    axes.cla()
    for x, y, fmt in zip(xs, ys, fmts):
        if x is None:
            axes.plot(y, fmt)
        else:
            axes.plot(x, y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend or [])


# 3.1 线性回归 · chapter_linear-networks/linear-regression
class Timer:
    """记录多段运行时间的计时器。"""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        """开始计时。"""
        self.tik = time.perf_counter()

    def stop(self):
        """停止计时，把这一段时间（秒）记下并返回。"""
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self):
        """平均时间。"""
        return sum(self.times) / len(self.times)

    def sum(self):
        """时间总和。"""
        return sum(self.times)

    def cumsum(self):
        """累计时间。"""
        return np.array(self.times).cumsum().tolist()


# 3.2 线性回归的从零开始实现 · chapter_linear-networks/linear-regression-scratch
def synthetic_data(w, b, num_examples):
    """生成 y = Xw + b + 噪声 的人造数据集。"""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


# 3.2 线性回归的从零开始实现 · chapter_linear-networks/linear-regression-scratch
def linreg(X, w, b):
    """线性回归模型。"""
    return torch.matmul(X, w) + b


# 3.2 线性回归的从零开始实现 · chapter_linear-networks/linear-regression-scratch
def squared_loss(y_hat, y):
    """平方损失（逐个样本，不求平均）。"""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


# 3.2 线性回归的从零开始实现 · chapter_linear-networks/linear-regression-scratch
def sgd(params, lr, batch_size):
    """小批量随机梯度下降：按批量大小把梯度平均后更新参数，再把梯度清零。"""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


# 3.3 线性回归的简洁实现 · chapter_linear-networks/linear-regression-concise
def load_array(data_arrays, batch_size, is_train=True):
    """把若干个张量包装成 PyTorch 的数据迭代器。"""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


# 3.5 图像分类数据集 · chapter_linear-networks/image-classification-dataset
@functools.lru_cache(maxsize=2)
def read_fashion_mnist(train=True):
    """读取 Fashion-MNIST，返回 uint8 图像张量 (N, 28, 28) 和 int64 标签张量 (N,)。

    文件由 d2l_local.hub 查找并校验；解码结果在同一个内核里缓存，重复调用不再读盘。
    """
    folder = hub.fetch('fashion-mnist')
    prefix = 'train' if train else 't10k'
    with gzip.open(folder / f'{prefix}-images-idx3-ubyte.gz', 'rb') as f:
        magic, n, rows, cols = struct.unpack('>4i', f.read(16))
        assert magic == 2051, '不是 idx3 图像文件'
        images = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8)
    with gzip.open(folder / f'{prefix}-labels-idx1-ubyte.gz', 'rb') as f:
        magic, m = struct.unpack('>2i', f.read(8))
        assert magic == 2049 and m == n, '标签文件与图像文件不匹配'
        labels = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8)
    return images.reshape(n, rows, cols), labels.long()


# 3.5 图像分类数据集 · chapter_linear-networks/image-classification-dataset
def get_fashion_mnist_labels(labels):
    """把数字标签转换成 Fashion-MNIST 的文本标签。"""
    text_labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                   'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
    return [text_labels[int(i)] for i in labels]


# 3.5 图像分类数据集 · chapter_linear-networks/image-classification-dataset
def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    """把一组图像画成 num_rows 行 num_cols 列的网格，返回各子图的坐标轴。"""
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize)
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        if torch.is_tensor(img):
            img = img.detach().cpu().numpy()
        ax.imshow(img)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles:
            ax.set_title(titles[i])
    return axes


# 3.5 图像分类数据集 · chapter_linear-networks/image-classification-dataset
def get_dataloader_workers():
    """读取数据使用的进程数。

    本书的加载器把整个数据集放在内存里按下标取批量，不需要子进程，
    所以返回 0：在 Windows 和 Jupyter 里也不会因为多进程而卡住。
    """
    return 0


# 3.5 图像分类数据集 · chapter_linear-networks/image-classification-dataset
def resize_matrix(n_in, n_out):
    """长度 n_in 的信号双线性缩放到 n_out 的线性变换，返回 (n_out, n_in) 矩阵。

    缩放对每个像素是线性的，而且行、列可以分开处理，所以整批图像的缩放就是
    两次矩阵乘法：R_h @ X @ R_w.T。矩阵本身由 F.interpolate 作用于单位脉冲得到，
    与直接调用 F.interpolate(antialias=True) 的结果一致。
    """
    impulses = torch.eye(n_in).reshape(n_in, 1, n_in, 1).expand(n_in, 1, n_in, 2)
    responses = F.interpolate(impulses, size=(n_out, 2), mode='bilinear',
                              antialias=True, align_corners=False)
    return responses[:, 0, :, 0].T.contiguous()


# 3.5 图像分类数据集 · chapter_linear-networks/image-classification-dataset
class TensorLoader:
    """在内存中的图像张量上按批迭代：每轮可重新打乱，批量由下标一次取出。

    图像以 uint8 (N, H, W) 保存；取出一个批量时才整体转成 [0, 1] 的 float32，
    需要时再整体缩放成 resize 大小。没有逐张图像的 Python 循环，也没有子进程。
    max_batches 限制每轮最多产出的批量数（快速模式用它缩小工作量）。
    """

    def __init__(self, images, labels, batch_size, shuffle=False, resize=None,
                 max_batches=None):
        self.images, self.labels = images, labels
        self.batch_size, self.shuffle = batch_size, shuffle
        self.num_batches = math.ceil(len(labels) / batch_size)
        if max_batches is not None:
            self.num_batches = min(self.num_batches, max_batches)
        self.resize = None
        if resize is not None:
            height, width = (resize, resize) if isinstance(resize, int) else resize
            self.resize = (resize_matrix(images.shape[1], height),
                           resize_matrix(images.shape[2], width))

    def __len__(self):
        return self.num_batches

    def __iter__(self):
        n, device = len(self.labels), self.labels.device
        order = torch.randperm(n, device=device) if self.shuffle else torch.arange(n, device=device)
        for i in range(self.num_batches):
            index = order[i * self.batch_size:(i + 1) * self.batch_size]
            X = self.images.index_select(0, index).float().div_(255)
            if self.resize is not None:
                rows, cols = self.resize
                X = rows @ X @ cols.T
            yield X.unsqueeze(1), self.labels.index_select(0, index)


# 3.5 图像分类数据集 · chapter_linear-networks/image-classification-dataset
def load_data_fashion_mnist(batch_size, resize=None):
    """返回 Fashion-MNIST 训练集和测试集的迭代器（训练集每轮重新打乱）。

    每个批量 X 的形状为 (批量大小, 1, H, W)，取值在 [0, 1]，y 为 int64 标签。
    """
    train_images, train_labels = read_fashion_mnist(train=True)
    test_images, test_labels = read_fashion_mnist(train=False)
    # 快速模式按像素量缩小：每轮的像素总数约等于“28×28 的图像、批量 256、20 个批量”，
    # 图像越大、批量越大，留下的批量越少（训练至少 2 个，测试至少 1 个）
    pixels = 28 * 28 if resize is None else (
        resize * resize if isinstance(resize, int) else resize[0] * resize[1])
    share = 28 * 28 * 256 / (pixels * batch_size)
    max_train = quick.choose('Fashion-MNIST 每轮的训练批量数',
                             math.ceil(len(train_labels) / batch_size),
                             max(2, min(20, round(20 * share))))
    max_test = quick.choose('Fashion-MNIST 每轮的测试批量数',
                            math.ceil(len(test_labels) / batch_size),
                            max(1, min(10, round(10 * share))))
    return (TensorLoader(train_images, train_labels, batch_size, shuffle=True,
                         resize=resize, max_batches=max_train),
            TensorLoader(test_images, test_labels, batch_size, shuffle=False,
                         resize=resize, max_batches=max_test))


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
def accuracy(y_hat, y):
    """预测正确的样本数（浮点数）。"""
    if y_hat.ndim > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    correct = y_hat.type(y.dtype) == y
    return float(correct.type(y.dtype).sum())


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
def evaluate_accuracy(net, data_iter):
    """计算模型在数据集上的精度。"""
    if isinstance(net, torch.nn.Module):
        net.eval()  # 评估模式：关闭 dropout 等只在训练时起作用的层
    metric = Accumulator(2)  # 正确预测数、预测总数
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
class Accumulator:
    """在 n 个变量上累加。"""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
def train_epoch_ch3(net, train_iter, loss, updater):
    """训练模型一轮，返回训练损失和训练精度。"""
    if isinstance(net, torch.nn.Module):
        net.train()
    metric = Accumulator(3)  # 损失总和、正确预测数、样本数
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        if isinstance(updater, torch.optim.Optimizer):
            # PyTorch 内置的优化器：对平均损失求梯度
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            # 自己写的优化器（如 d2l.sgd）：对损失总和求梯度，由它除以批量大小
            l.sum().backward()
            updater(X.shape[0])
        metric.add(float(l.detach().sum()), accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
def in_notebook():
    """当前是否运行在 Jupyter 内核中（能显示动态图）。"""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == 'ZMQInteractiveShell'


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
class Animator:
    """边训练边画图：在 Jupyter 中实时更新一张 SVG 图；在脚本或 CI 中，每次 add 打印一行文字。"""

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None,
                 ylim=None, xscale='linear', yscale='linear',
                 fmts=('-', 'm--', 'g-.', 'r:'), nrows=1, ncols=1,
                 figsize=(3.5, 2.5)):
        self.legend = legend or []
        self.xlabel = xlabel
        self.live = in_notebook()
        self.X, self.Y, self.fmts = None, None, fmts
        if self.live:
            use_svg_display()
            self.fig, self.axes = plt.subplots(nrows, ncols, figsize=figsize)
            if nrows * ncols == 1:
                self.axes = [self.axes]
            self.config_axes = lambda: set_axes(self.axes[0], xlabel, ylabel, xlim, ylim,
                                                xscale, yscale, self.legend)

    def add(self, x, y):
        """添加一个或多个数据点（y 可以是一组数，对应图中的多条曲线）。"""
        if not hasattr(y, '__len__'):
            y = [y]
        n = len(y)
        if not hasattr(x, '__len__'):
            x = [x] * n
        if self.X is None:
            self.X = [[] for _ in range(n)]
            self.Y = [[] for _ in range(n)]
        for i, (a, b) in enumerate(zip(x, y)):
            if a is not None and b is not None:
                self.X[i].append(a)
                self.Y[i].append(b)
        if self.live:
            self.axes[0].cla()
            for xs, ys, fmt in zip(self.X, self.Y, self.fmts):
                self.axes[0].plot(xs, ys, fmt)
            self.config_axes()
            display.display(self.fig)
            display.clear_output(wait=True)
        else:
            names = self.legend or [f'y{i}' for i in range(n)]
            values = ', '.join(f'{name} {b:.4f}' for name, b in zip(names, y)
                               if b is not None)
            print(f'{self.xlabel or "x"} {x[0]:g}: {values}', flush=True)


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater):
    """训练模型（第3章）：每轮后记录训练损失、训练精度和测试精度，最后打印一行结果。"""
    num_epochs = quick.choose('训练轮数', num_epochs, 2)
    animator = Animator(xlabel='epoch', xlim=[1, num_epochs], ylim=[0.3, 0.9],
                        legend=['train loss', 'train acc', 'test acc'])
    for epoch in range(num_epochs):
        train_metrics = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, train_metrics + (test_acc,))
    train_loss, train_acc = train_metrics
    print(f'loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}')


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
def predict_ch3(net, test_iter, n=6):
    """预测测试集第一个批量中前 n 张图像的类别，并与真实类别一起显示。"""
    for X, y in test_iter:
        break
    trues = get_fashion_mnist_labels(y)
    preds = get_fashion_mnist_labels(net(X).argmax(axis=1))
    titles = [true + '\n' + pred for true, pred in zip(trues, preds)]
    show_images(X[0:n].reshape((n, 28, 28)), 1, n, titles=titles[0:n])


# 4.4 模型选择、欠拟合和过拟合 · chapter_multilayer-perceptrons/underfit-overfit
def evaluate_loss(net, data_iter, loss):
    """计算模型在数据集上的平均损失。"""
    metric = Accumulator(2)  # 损失总和、样本数
    with torch.no_grad():
        for X, y in data_iter:
            out = net(X)
            y = y.reshape(out.shape)
            l = loss(out, y)
            metric.add(l.sum(), l.numel())
    return metric[0] / metric[1]


# 4.10 实战Kaggle比赛：预测房价 · chapter_multilayer-perceptrons/kaggle-house-price
DATA_HUB = dict()

DATA_URL = 'http://d2l-data.s3-accelerate.amazonaws.com/'


# 4.10 实战Kaggle比赛：预测房价 · chapter_multilayer-perceptrons/kaggle-house-price
def download(name, cache_dir=os.path.join('..', 'data')):
    """取得 DATA_HUB 中登记的文件，返回本地文件名。

    查找顺序（缓存、镜像、系统副本、下载）和哈希校验都由 d2l_local.hub 负责。
    默认的 cache_dir 沿用经典 d2l 的写法 '../data'，在本书里表示本书的数据缓存目录
    （仓库的 data/，可用环境变量 D2L_DATA_DIR 改）；给出别的目录时文件缓存到那里。
    """
    assert name in DATA_HUB, f'{name} 不在 DATA_HUB 中'
    url, sha1_hash = DATA_HUB[name]
    uses_book_cache = cache_dir == os.path.join('..', 'data')
    return str(hub.fetch_url(url, sha1_hash, None if uses_book_cache else cache_dir))


# 4.10 实战Kaggle比赛：预测房价 · chapter_multilayer-perceptrons/kaggle-house-price
def download_extract(name, folder=None):
    """下载并解压 zip 或 tar 文件，返回解压出的目录。"""
    fname = download(name)
    base_dir = os.path.dirname(fname)
    data_dir, ext = os.path.splitext(fname)
    assert ext in ('.zip', '.tar', '.gz'), '只能解压 zip 或 tar 文件'
    hub.extract(fname, base_dir)
    return os.path.join(base_dir, folder) if folder else data_dir


# 4.10 实战Kaggle比赛：预测房价 · chapter_multilayer-perceptrons/kaggle-house-price
def download_all():
    """取得 DATA_HUB 中的全部文件。"""
    for name in DATA_HUB:
        download(name)


# 4.10 实战Kaggle比赛：预测房价 · chapter_multilayer-perceptrons/kaggle-house-price
DATA_HUB['kaggle_house_train'] = (
    DATA_URL + 'kaggle_house_pred_train.csv',
    '585e9cc93e70b39160e7921475f9bcd7d31219ce')

DATA_HUB['kaggle_house_test'] = (
    DATA_URL + 'kaggle_house_pred_test.csv',
    'fa19780a7b011d9b009e8bff8e99922a8ee2eb90')


# 5.6 GPU · chapter_deep-learning-computation/use-gpu
def try_gpu(i=0):
    """第 i 块 GPU：有 CUDA 时是 cuda:i；没有 CUDA 而有 Apple 的 MPS 时，第 0 块是 mps；都没有时退回 cpu。"""
    if torch.cuda.device_count() > i:
        return torch.device(f'cuda:{i}')
    if i == 0 and not torch.cuda.is_available() and torch.backends.mps.is_available():
        return torch.device('mps')
    return torch.device('cpu')


# 5.6 GPU · chapter_deep-learning-computation/use-gpu
def try_all_gpus():
    """所有可用的 GPU：CUDA 设备组成的列表；没有 CUDA 时是 [mps] 或 [cpu]。"""
    count = torch.cuda.device_count()
    if count == 0:
        return [try_gpu()]
    return [torch.device(f'cuda:{i}') for i in range(count)]


# 6.2 图像卷积 · chapter_convolutional-neural-networks/conv-layer
def corr2d(X, K):
    """二维互相关运算：核 K 在输入 X 上滑动，每个位置求逐元素乘积之和。"""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


# 6.6 卷积神经网络（LeNet） · chapter_convolutional-neural-networks/lenet
def to_device(data_iter, device):
    """把内存里的数据集（TensorLoader）整体复制到 device 上；其他数据迭代器原样返回。

    在 GPU 上训练时，每个批量于是直接在显存里取出、转换和缩放，不必每批从主机拷贝。
    """
    if not isinstance(data_iter, TensorLoader) or data_iter.images.device == torch.device(device):
        return data_iter
    moved = copy.copy(data_iter)
    moved.images, moved.labels = data_iter.images.to(device), data_iter.labels.to(device)
    if data_iter.resize is not None:
        moved.resize = tuple(R.to(device) for R in data_iter.resize)
    return moved


# 6.6 卷积神经网络（LeNet） · chapter_convolutional-neural-networks/lenet
def evaluate_accuracy_gpu(net, data_iter, device=None):
    """在模型所在的设备上计算它在数据集上的精度。"""
    if isinstance(net, nn.Module):
        net.eval()  # 评估模式
        if device is None:
            device = next(iter(net.parameters())).device
    correct = torch.zeros((), device=device)  # 在设备上累加，最后只取回一次
    total = 0
    with torch.no_grad():
        for X, y in data_iter:
            if isinstance(X, list):
                X = [x.to(device) for x in X]
            else:
                X = X.to(device)
            y = y.to(device)
            correct += (net(X).argmax(dim=1) == y).sum()
            total += y.numel()
    return float(correct) / total


# 6.6 卷积神经网络（LeNet） · chapter_convolutional-neural-networks/lenet
def _mixed_precision(device_type, wanted):
    """混合精度的设置：返回 (是否启用, autocast 用的低精度类型, GradScaler)。

    CUDA 上用 float16，CPU 上用 bfloat16；Apple 的 MPS 上不启用（打印原因），照常以 float32 训练。
    """
    if wanted and device_type == 'mps':
        print('MPS 上不启用混合精度（mixed_precision），按 float32 训练')
        wanted = False
    low_precision = torch.float16 if device_type == 'cuda' else torch.bfloat16
    # float16 的小梯度可能下溢成 0：GradScaler 先放大损失、更新前再还原；不启用时它什么也不做
    scaler = torch.amp.GradScaler(device_type, enabled=wanted and device_type == 'cuda')
    return wanted, low_precision, scaler


# 6.6 卷积神经网络（LeNet） · chapter_convolutional-neural-networks/lenet
def train_ch6(net, train_iter, test_iter, num_epochs, lr, device, *,
              mixed_precision=False):
    """在 device 上训练模型（第6章）：SGD，交叉熵损失，权重用 Xavier 初始化。

    mixed_precision=True 时前向计算在 autocast 下使用低精度（CUDA 上 float16，CPU 上
    bfloat16；Apple 的 MPS 上不启用）；默认 False，即本书讲授的 float32 训练。
    """
    def init_weights(m):
        if type(m) == nn.Linear or type(m) == nn.Conv2d:
            nn.init.xavier_uniform_(m.weight)
    net.apply(init_weights)
    num_epochs = quick.choose('训练轮数', num_epochs, 2)
    print('training on', device)
    # channels_last：每个像素的各通道在内存中相邻，卷积和汇聚通常更快（只改内存布局，不改计算）
    net.to(device, memory_format=torch.channels_last)
    # 内存里的数据集整体搬到设备上：批量直接在设备上取出（和缩放），不必每批从主机拷贝
    train_iter, test_iter = to_device(train_iter, device), to_device(test_iter, device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    device_type = torch.device(device).type
    mixed_precision, low_precision, scaler = _mixed_precision(device_type, mixed_precision)
    loss = nn.CrossEntropyLoss()
    animator = Animator(xlabel='epoch', xlim=[1, num_epochs],
                        legend=['train loss', 'train acc', 'test acc'])
    timer, num_batches = Timer(), len(train_iter)
    for epoch in range(num_epochs):
        # 损失总和、正确预测数：在设备上累加，只在要画图时取回主机
        metric, num_examples = torch.zeros(2, device=device), 0
        net.train()
        timer.start()
        for i, (X, y) in enumerate(train_iter):
            X, y = X.to(device, memory_format=torch.channels_last), y.to(device)
            with torch.autocast(device_type, dtype=low_precision, enabled=mixed_precision):
                y_hat = net(X)
                l = loss(y_hat, y)
            optimizer.zero_grad()
            scaler.scale(l).backward()
            scaler.step(optimizer)
            scaler.update()
            with torch.no_grad():
                metric[0] += l * X.shape[0]
                metric[1] += (y_hat.argmax(dim=1) == y).sum()
            num_examples += X.shape[0]
            if (i + 1) % max(num_batches // 5, 1) == 0 or i == num_batches - 1:
                train_l, train_acc = (metric / num_examples).tolist()
                animator.add(epoch + (i + 1) / num_batches, (train_l, train_acc, None))
        timer.stop()
        test_acc = evaluate_accuracy_gpu(net, test_iter)
        animator.add(epoch + 1, (None, None, test_acc))
    print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}')
    print(f'{num_examples * num_epochs / timer.sum():.1f} examples/sec on {str(device)}')


# 7.1 深度卷积神经网络（AlexNet） · chapter_convolutional-modern/alexnet
def reduce_on_cpu(train_iter, test_iter, num_epochs, device, epochs=1,
                  train_batches=40, test_batches=20):
    """只有 CPU 时缩小训练量，返回 (train_iter, test_iter, num_epochs)；在 GPU 上原样返回。

    本章的网络按书中的设置要在 GPU 上训练，只用 CPU 要训练好几个小时。缩小的办法是
    少训练几轮、每轮只取前面若干个批量（训练集每轮重新打乱，每轮取到的图像不同），
    并打印一行说明缩小了什么，免得把缩小后的结果当成按书中设置训练的结果。
    """
    if torch.device(device).type != 'cpu':
        return train_iter, test_iter, num_epochs

    def first_batches(data_iter, max_batches):
        shortened = copy.copy(data_iter)
        shortened.num_batches = min(data_iter.num_batches, max_batches)
        return shortened

    reduced = (first_batches(train_iter, train_batches),
               first_batches(test_iter, test_batches), min(num_epochs, epochs))
    print(f'CPU 缩减运行：训练轮数 {num_epochs} → {reduced[2]}，'
          f'每轮训练批量 {len(train_iter)} → {len(reduced[0])}，'
          f'测试批量 {len(test_iter)} → {len(reduced[1])}')
    return reduced


# 7.6 残差网络（ResNet） · chapter_convolutional-modern/resnet
class Residual(nn.Module):
    """ResNet 的残差块：两个 3×3 卷积层（各接批量规范化层），输出与输入相加后再过 ReLU。

    use_1x1conv=True 时，输入先经过一个 1×1 卷积层（步幅为 strides）变换，
    使它的通道数和高宽与主路径的输出一致，才能相加。
    """
    def __init__(self, input_channels, num_channels,
                 use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels,
                               kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels,
                               kernel_size=3, padding=1)
        self.conv3 = (nn.Conv2d(input_channels, num_channels,
                                kernel_size=1, stride=strides)
                      if use_1x1conv else None)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        shortcut = X if self.conv3 is None else self.conv3(X)
        return F.relu(Y + shortcut)


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
DATA_HUB['time_machine'] = (DATA_URL + 'timemachine.txt',
                            '090b5e7e70c295757f55df93cb0a180b9691891a')


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
def read_time_machine():
    """读取《时间机器》全文，每行只保留字母并转成小写，返回行的列表。"""
    with open(download('time_machine'), 'r') as f:
        lines = f.readlines()
    return [re.sub('[^A-Za-z]+', ' ', line).strip().lower() for line in lines]


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
def tokenize(lines, token='word'):
    """把每行文本拆成词元列表：token='word' 按空格拆成单词，'char' 拆成字符。"""
    if token == 'word':
        return [line.split() for line in lines]
    if token == 'char':
        return [list(line) for line in lines]
    print('ERROR: unknown token type: ' + token)


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
class Vocab:
    """词表：在词元和从 0 开始的整数索引之间互相转换。

    索引 0 固定留给未知词元 '<unk>'，其后是 reserved_tokens，再往后按词频从高到低
    排列（词频相同时保持首次出现的顺序）；出现次数少于 min_freq 的词元不进词表。
    """

    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        tokens = [] if tokens is None else tokens
        reserved_tokens = [] if reserved_tokens is None else reserved_tokens
        counter = count_corpus(tokens)
        self._token_freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token = ['<unk>'] + reserved_tokens
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}
        for token, freq in self._token_freqs:
            if freq < min_freq:
                break
            if token not in self.token_to_idx:
                self.idx_to_token.append(token)
                self.token_to_idx[token] = len(self.idx_to_token) - 1

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        """词元 → 索引；传入列表或元组时逐个转换。不认识的词元得到 unk。"""
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, self.unk)
        return [self.__getitem__(token) for token in tokens]

    def to_tokens(self, indices):
        """索引 → 词元；传入列表或元组时逐个转换。"""
        if not isinstance(indices, (list, tuple)):
            return self.idx_to_token[indices]
        return [self.idx_to_token[index] for index in indices]

    @property
    def unk(self):
        return 0

    @property
    def token_freqs(self):
        return self._token_freqs


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
def count_corpus(tokens):
    """统计词元频率；tokens 可以是一维列表，也可以是“行的列表”。"""
    if len(tokens) == 0 or isinstance(tokens[0], list):
        tokens = [token for line in tokens for token in line]
    return collections.Counter(tokens)


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
def load_corpus_time_machine(max_tokens=-1):
    """返回《时间机器》的字符索引序列 corpus 和字符词表 vocab。"""
    lines = read_time_machine()
    tokens = tokenize(lines, 'char')
    vocab = Vocab(tokens)
    # 文本的行不一定是句子或段落，所以把所有行拼成一个长序列
    corpus = [vocab[token] for line in tokens for token in line]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


# 8.3 语言模型和数据集 · chapter_recurrent-neural-networks/language-models-and-dataset
def seq_data_iter_random(corpus, batch_size, num_steps):
    """随机采样：每个小批量由从序列各处随机取出的子序列组成。"""
    # 随机偏移起点（0 到 num_steps-1），让每轮的切分位置不同
    corpus = corpus[random.randint(0, num_steps - 1):]
    # 减 1：标签是输入向后错一位的序列
    num_subseqs = (len(corpus) - 1) // num_steps
    initial_indices = list(range(0, num_subseqs * num_steps, num_steps))
    random.shuffle(initial_indices)
    corpus = torch.tensor(corpus)
    offsets = torch.arange(num_steps)
    num_batches = num_subseqs // batch_size
    for i in range(0, batch_size * num_batches, batch_size):
        starts = torch.tensor(initial_indices[i:i + batch_size])
        positions = starts[:, None] + offsets  # (批量大小, 时间步数) 的下标
        yield corpus[positions], corpus[positions + 1]


# 8.3 语言模型和数据集 · chapter_recurrent-neural-networks/language-models-and-dataset
def seq_data_iter_sequential(corpus, batch_size, num_steps):
    """顺序分区：相邻两个小批量中，同一行的子序列在原序列上首尾相接。"""
    offset = random.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset:offset + num_tokens])
    Ys = torch.tensor(corpus[offset + 1:offset + 1 + num_tokens])
    Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps]


# 8.3 语言模型和数据集 · chapter_recurrent-neural-networks/language-models-and-dataset
class SeqDataLoader:
    """序列数据的迭代器：每次迭代（每轮）重新随机切分一次。"""

    def __init__(self, batch_size, num_steps, use_random_iter, max_tokens):
        if use_random_iter:
            self.data_iter_fn = seq_data_iter_random
        else:
            self.data_iter_fn = seq_data_iter_sequential
        self.corpus, self.vocab = load_corpus_time_machine(max_tokens)
        self.batch_size, self.num_steps = batch_size, num_steps

    def __iter__(self):
        return self.data_iter_fn(self.corpus, self.batch_size, self.num_steps)


# 8.3 语言模型和数据集 · chapter_recurrent-neural-networks/language-models-and-dataset
def load_data_time_machine(batch_size, num_steps,
                           use_random_iter=False, max_tokens=10000):
    """返回《时间机器》前 max_tokens 个字符的小批量迭代器和词表。"""
    max_tokens = quick.choose('语料长度（字符数）', max_tokens, 3000)
    data_iter = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens)
    return data_iter, data_iter.vocab


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
class RNNModelScratch:
    """从零开始实现的循环神经网络模型。"""

    def __init__(self, vocab_size, num_hiddens, device,
                 get_params, init_state, forward_fn):
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens, device)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X, state):
        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
        return self.forward_fn(X, state, self.params)

    def begin_state(self, batch_size, device):
        return self.init_state(batch_size, self.num_hiddens, device)


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
def predict_ch8(prefix, num_preds, net, vocab, device):
    """在 prefix 之后续写 num_preds 个字符（每步取概率最大的字符）。"""
    state = net.begin_state(batch_size=1, device=device)
    outputs = [vocab[prefix[0]]]
    get_input = lambda: torch.tensor([outputs[-1]], device=device).reshape((1, 1))
    for y in prefix[1:]:  # 预热期：用前缀更新隐状态，不做预测
        _, state = net(get_input(), state)
        outputs.append(vocab[y])
    for _ in range(num_preds):  # 预测 num_preds 步
        y, state = net(get_input(), state)
        outputs.append(int(y.argmax(dim=1).reshape(1)))
    return ''.join([vocab.idx_to_token[i] for i in outputs])


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
def grad_clipping(net, theta):
    """梯度裁剪：所有参数梯度拼成的向量，其 L2 范数超过 theta 时按比例缩小到 theta。"""
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in params]))
    # 按公式乘以 min(1, theta / norm)：因子留在设备上，不必为判断 norm > theta 而等待 GPU
    scale = (theta / norm).clamp(max=1)
    for param in params:
        param.grad.mul_(scale)


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
    """训练一轮（第8章），返回困惑度和每秒处理的词元数。"""
    state, timer = None, Timer()
    total_loss, num_tokens = torch.zeros((), device=device), 0  # 损失在设备上累加
    for X, Y in train_iter:
        if state is None or use_random_iter:
            # 第一个小批量，或随机采样（相邻批量不相接）时，重新初始化隐状态
            state = net.begin_state(batch_size=X.shape[0], device=device)
        else:
            # 顺序分区：沿用上一批的隐状态，但切断它与之前计算图的联系
            if isinstance(net, nn.Module) and not isinstance(state, tuple):
                state.detach_()  # nn.RNN、nn.GRU 的隐状态是一个张量
            else:
                for s in state:  # nn.LSTM 和从零实现的模型用元组
                    s.detach_()
        y = Y.T.reshape(-1)
        X, y = X.to(device), y.to(device)
        y_hat, state = net(X, state)
        l = loss(y_hat, y.long()).mean()
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.backward()
            grad_clipping(net, 1)
            updater.step()
        else:
            l.backward()
            grad_clipping(net, 1)
            updater(batch_size=1)  # 损失已经取过平均
        total_loss += l.detach() * y.numel()
        num_tokens += y.numel()
    return math.exp(float(total_loss) / num_tokens), num_tokens / timer.stop()


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
def train_ch8(net, train_iter, vocab, lr, num_epochs, device,
              use_random_iter=False):
    """训练字符级语言模型（第8章），每 10 轮续写一次 'time traveller'。"""
    num_epochs = quick.choose('训练轮数', num_epochs, 20)
    loss = nn.CrossEntropyLoss()
    animator = Animator(xlabel='epoch', ylabel='perplexity',
                        legend=['train'], xlim=[10, num_epochs])
    if isinstance(net, nn.Module):
        updater = torch.optim.SGD(net.parameters(), lr)
    else:
        updater = lambda batch_size: sgd(net.params, lr, batch_size)
    predict = lambda prefix: predict_ch8(prefix, 50, net, vocab, device)
    for epoch in range(num_epochs):
        ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)
        if (epoch + 1) % 10 == 0:
            print(predict('time traveller'))
            animator.add(epoch + 1, [ppl])
    print(f'perplexity {ppl:.1f}, {speed:.1f} tokens/sec on {str(device)}')
    print(predict('time traveller'))
    print(predict('traveller'))


# 8.6 循环神经网络的简洁实现 · chapter_recurrent-neural-networks/rnn-concise
class RNNModel(nn.Module):
    """循环神经网络模型：循环层（nn.RNN/GRU/LSTM）加一个输出层。"""

    def __init__(self, rnn_layer, vocab_size, **kwargs):
        super().__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        # 双向循环网络（第9章）的输出把两个方向拼在一起，宽度翻倍
        self.num_directions = 2 if self.rnn.bidirectional else 1
        self.linear = nn.Linear(self.num_hiddens * self.num_directions, self.vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size).to(torch.float32)
        Y, state = self.rnn(X, state)
        # Y 的形状为 (时间步数, 批量大小, 隐藏单元数)；输出层先把前两维合并
        output = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, state

    def begin_state(self, device, batch_size=1):
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        if not isinstance(self.rnn, nn.LSTM):
            return torch.zeros(shape, device=device)  # nn.RNN、nn.GRU：一个张量
        return (torch.zeros(shape, device=device),  # nn.LSTM：(隐状态, 记忆元)
                torch.zeros(shape, device=device))


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
DATA_HUB['fra-eng'] = (DATA_URL + 'fra-eng.zip',
                       '94646ad1522d915e7b0f9296181140edcf86a4f5')


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def read_data_nmt():
    """读取“英语-法语”数据集：每行一个句对，英语和法语之间用制表符分隔。"""
    data_dir = download_extract('fra-eng')
    with open(os.path.join(data_dir, 'fra.txt'), 'r', encoding='utf-8') as f:
        return f.read()


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def preprocess_nmt(text):
    """预处理：不间断空格换成普通空格，大写转小写，单词和紧跟的标点 , . ! ? 之间插入空格。"""
    text = text.replace('\u202f', ' ').replace('\xa0', ' ').lower()
    # (?<=[^ ]) 表示标点前面有一个字符且不是空格
    return re.sub(r'(?<=[^ ])([,.!?])', r' \1', text)


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def tokenize_nmt(text, num_examples=None):
    """按空格把每个句对切成词元，返回源语言（英语）和目标语言（法语）的词元列表。"""
    source, target = [], []
    for i, line in enumerate(text.split('\n')):
        if num_examples and i > num_examples:
            break
        parts = line.split('\t')
        if len(parts) == 2:
            source.append(parts[0].split(' '))
            target.append(parts[1].split(' '))
    return source, target


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def show_list_len_pair_hist(legend, xlabel, ylabel, xlist, ylist):
    """并排画出两组序列长度的直方图（第二组加斜线阴影）。"""
    set_figsize()
    _, _, patches = plt.hist([[len(l) for l in xlist], [len(l) for l in ylist]])
    plt.xlabel(xlabel)
    plt.ylabel(ylabel)
    for patch in patches[1].patches:
        patch.set_hatch('/')
    plt.legend(legend)


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def truncate_pad(line, num_steps, padding_token):
    """把词元索引序列截断或用 padding_token 填充到正好 num_steps 个。"""
    if len(line) > num_steps:
        return line[:num_steps]
    return line + [padding_token] * (num_steps - len(line))


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def build_array_nmt(lines, vocab, num_steps):
    """把词元序列转成 (序列数, num_steps) 的索引张量，并给出每个序列的有效长度。

    每个序列末尾先加 '<eos>'，再截断或填充；有效长度是不算 '<pad>' 的词元数。
    """
    lines = [vocab[l] + [vocab['<eos>']] for l in lines]
    array = torch.tensor([truncate_pad(l, num_steps, vocab['<pad>']) for l in lines])
    valid_len = (array != vocab['<pad>']).type(torch.int32).sum(1)
    return array, valid_len


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def load_data_nmt(batch_size, num_steps, num_examples=600):
    """返回翻译数据集的迭代器和源、目标两个词表。

    每个批量是 (X, X_valid_len, Y, Y_valid_len)：X、Y 的形状为 (批量大小, num_steps)。
    """
    text = preprocess_nmt(read_data_nmt())
    source, target = tokenize_nmt(text, num_examples)
    src_vocab = Vocab(source, min_freq=2,
                      reserved_tokens=['<pad>', '<bos>', '<eos>'])
    tgt_vocab = Vocab(target, min_freq=2,
                      reserved_tokens=['<pad>', '<bos>', '<eos>'])
    src_array, src_valid_len = build_array_nmt(source, src_vocab, num_steps)
    tgt_array, tgt_valid_len = build_array_nmt(target, tgt_vocab, num_steps)
    data_arrays = (src_array, src_valid_len, tgt_array, tgt_valid_len)
    data_iter = load_array(data_arrays, batch_size)
    return data_iter, src_vocab, tgt_vocab


# 9.6 编码器-解码器架构 · chapter_recurrent-modern/encoder-decoder
class Encoder(nn.Module):
    """编码器的基类：把输入序列变成某种表示（子类实现 forward）。"""
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def forward(self, X, *args):
        raise NotImplementedError


# 9.6 编码器-解码器架构 · chapter_recurrent-modern/encoder-decoder
class Decoder(nn.Module):
    """解码器的基类：init_state 把编码器的输出变成解码器的初始状态，forward 逐步生成输出。"""
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def init_state(self, enc_outputs, *args):
        raise NotImplementedError

    def forward(self, X, state):
        raise NotImplementedError


# 9.6 编码器-解码器架构 · chapter_recurrent-modern/encoder-decoder
class EncoderDecoder(nn.Module):
    """编码器-解码器架构：编码器的输出经 init_state 成为解码器的初始状态。"""
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, enc_X, dec_X, *args):
        enc_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_outputs, *args)
        return self.decoder(dec_X, dec_state)


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
class Seq2SeqEncoder(Encoder):
    """序列到序列学习的循环神经网络编码器：嵌入层加多层 GRU。"""
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers,
                 dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        # X 的形状 (批量大小, 时间步数) → 嵌入后 (批量大小, 时间步数, embed_size)
        X = self.embedding(X)
        # 循环层要求时间步在第一维
        X = X.permute(1, 0, 2)
        # 不给初始隐状态时，GRU 从全零开始
        output, state = self.rnn(X)
        # output: (时间步数, 批量大小, num_hiddens)；state: (num_layers, 批量大小, num_hiddens)
        return output, state


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
class Seq2SeqDecoder(Decoder):
    """序列到序列学习的循环神经网络解码器。

    状态是 (隐状态, 上下文变量)：上下文变量是编码器最后一层在最后时间步的隐状态，
    解码的每一步都把它和当前输入的嵌入拼在一起送进 GRU。
    """
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers,
                 dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers,
                          dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, *args):
        enc_state = enc_outputs[1]
        return enc_state, enc_state[-1]

    def forward(self, X, state):
        hidden, context = state
        # X: (批量大小, 时间步数) → (时间步数, 批量大小, embed_size)
        X = self.embedding(X).permute(1, 0, 2)
        # 上下文变量在每个时间步重复一次：(时间步数, 批量大小, num_hiddens)
        context_steps = context.repeat(X.shape[0], 1, 1)
        output, hidden = self.rnn(torch.cat((X, context_steps), 2), hidden)
        # 输出转回 (批量大小, 时间步数, vocab_size)
        return self.dense(output).permute(1, 0, 2), (hidden, context)


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
def sequence_mask(X, valid_len, value=0):
    """把 X 每行中有效长度之后的元素（原地）换成 value，并返回 X。"""
    mask = torch.arange(X.size(1), device=X.device)[None, :] < valid_len[:, None]
    # X 多于两维时（例如 (批量大小, 时间步数, 特征数)），掩码沿后面的维度广播
    mask = mask.reshape(mask.shape + (1,) * (X.dim() - 2))
    return X.masked_fill_(~mask, value)


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    """遮蔽填充词元的 softmax 交叉熵损失，返回每个序列的平均损失。

    pred: (批量大小, 时间步数, 词表大小)；label: (批量大小, 时间步数)；valid_len: (批量大小,)
    """
    def forward(self, pred, label, valid_len):
        weights = sequence_mask(torch.ones_like(label), valid_len)
        self.reduction = 'none'
        # 把前两维合并：每个时间步都是一个普通的分类样本
        unweighted_loss = super().forward(
            pred.reshape(-1, pred.shape[-1]), label.reshape(-1)).reshape(label.shape)
        return (unweighted_loss * weights).mean(dim=1)


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device):
    """训练序列到序列模型：Adam 优化，遮蔽的交叉熵损失，强制教学（teacher forcing）。"""
    def xavier_init_weights(m):
        if type(m) == nn.Linear:
            nn.init.xavier_uniform_(m.weight)
        if type(m) == nn.GRU:
            for name, param in m.named_parameters():
                if 'weight' in name:
                    nn.init.xavier_uniform_(param)
    net.apply(xavier_init_weights)
    num_epochs = quick.choose('训练轮数', num_epochs, 30)
    net.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr, foreach=True)
    loss = MaskedSoftmaxCELoss()
    net.train()
    animator = Animator(xlabel='epoch', ylabel='loss', xlim=[10, num_epochs])
    for epoch in range(num_epochs):
        timer = Timer()
        metric = torch.zeros(2, device=device)  # 损失总和、词元数：在设备上累加
        for batch in data_iter:
            X, X_valid_len, Y, Y_valid_len = [x.to(device) for x in batch]
            # 强制教学：解码器的输入是 '<bos>' 加上去掉最后一个词元的标签
            bos = torch.full((Y.shape[0], 1), tgt_vocab['<bos>'], device=device)
            dec_input = torch.cat([bos, Y[:, :-1]], 1)
            Y_hat, _ = net(X, dec_input, X_valid_len)
            l = loss(Y_hat, Y, Y_valid_len)
            optimizer.zero_grad()
            l.sum().backward()  # 各序列的损失之和作为标量求梯度
            grad_clipping(net, 1)
            optimizer.step()
            with torch.no_grad():
                metric[0] += l.sum()
                metric[1] += Y_valid_len.sum()
        if (epoch + 1) % 10 == 0:
            animator.add(epoch + 1, ((metric[0] / metric[1]).item(),))
    loss_per_token, num_tokens = (metric[0] / metric[1]).item(), metric[1].item()
    print(f'loss {loss_per_token:.3f}, {num_tokens / timer.stop():.1f} '
          f'tokens/sec on {str(device)}')


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps,
                    device, save_attention_weights=False):
    """贪心解码：每一步取概率最大的词元，直到 '<eos>' 或 num_steps 步。

    返回 (译文, 各步的注意力权重)；注意力权重要到注意力机制一章才用到。
    """
    net.eval()  # 预测时关闭 dropout
    src_tokens = src_vocab[src_sentence.lower().split(' ')] + [src_vocab['<eos>']]
    enc_valid_len = torch.tensor([len(src_tokens)], device=device)
    src_tokens = truncate_pad(src_tokens, num_steps, src_vocab['<pad>'])
    # 加上批量维：(1, num_steps)
    enc_X = torch.tensor([src_tokens], dtype=torch.long, device=device)
    enc_outputs = net.encoder(enc_X, enc_valid_len)
    dec_state = net.decoder.init_state(enc_outputs, enc_valid_len)
    dec_X = torch.tensor([[tgt_vocab['<bos>']]], dtype=torch.long, device=device)
    output_seq, attention_weight_seq = [], []
    with torch.no_grad():
        for _ in range(num_steps):
            Y, dec_state = net.decoder(dec_X, dec_state)
            # 概率最大的词元作为下一步的输入
            dec_X = Y.argmax(dim=2)
            pred = int(dec_X.item())
            if save_attention_weights:
                attention_weight_seq.append(net.decoder.attention_weights)
            if pred == tgt_vocab['<eos>']:
                break
            output_seq.append(pred)
    return ' '.join(tgt_vocab.to_tokens(output_seq)), attention_weight_seq


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
def bleu(pred_seq, label_seq, k):
    """BLEU：1 到 k 元语法的精确率按权重 1/2^n 连乘，再乘上过短惩罚。"""
    pred_tokens, label_tokens = pred_seq.split(' '), label_seq.split(' ')
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, k + 1):
        if len_pred < n:  # 预测太短，没有 n 元语法：精确率为 0（经典实现在这里除以零）
            return 0.0
        # 标签里每个 n 元语法的出现次数；预测中的 n 元语法每匹配一次就用掉一次
        label_ngrams = collections.Counter(
            ' '.join(label_tokens[i:i + n]) for i in range(len_label - n + 1))
        num_matches = 0
        for i in range(len_pred - n + 1):
            ngram = ' '.join(pred_tokens[i:i + n])
            if label_ngrams[ngram] > 0:
                num_matches += 1
                label_ngrams[ngram] -= 1
        score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
    return score


# 9.8 束搜索 · chapter_recurrent-modern/beam-search
def beam_search_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps,
                        device, beam_size, alpha=0.75):
    """束搜索解码：返回 (译文, 得分)。

    每一步把每个候选序列延长一个词元，在所有延长结果中按累计对数概率保留
    beam_size 个；以 '<eos>' 结尾的序列不再延长，进入完成列表。最后在完成的序列
    （和到达 num_steps 步仍未结束的序列）中选得分 log P / L**alpha 最高的一个，
    L 是生成的词元数（含 '<eos>'）。beam_size=1 就是贪心解码。
    """
    net.eval()
    src_tokens = src_vocab[src_sentence.lower().split(' ')] + [src_vocab['<eos>']]
    enc_valid_len = torch.tensor([len(src_tokens)], device=device)
    src_tokens = truncate_pad(src_tokens, num_steps, src_vocab['<pad>'])
    enc_X = torch.tensor([src_tokens], dtype=torch.long, device=device)
    eos = tgt_vocab['<eos>']
    with torch.no_grad():
        enc_outputs = net.encoder(enc_X, enc_valid_len)
        # 每个候选：(已生成的词元, 累计对数概率, 解码器状态)
        beams = [([], 0.0, net.decoder.init_state(enc_outputs, enc_valid_len))]
        finished = []
        for _ in range(num_steps):
            candidates = []
            for tokens, log_prob, state in beams:
                last = tokens[-1] if tokens else tgt_vocab['<bos>']
                Y, new_state = net.decoder(
                    torch.tensor([[last]], dtype=torch.long, device=device), state)
                log_probs = F.log_softmax(Y[0, -1], dim=-1)
                # 每个候选只需看它自己最好的 beam_size 个延长
                top = log_probs.topk(beam_size)
                for lp, token in zip(top.values.tolist(), top.indices.tolist()):
                    candidates.append((tokens + [token], log_prob + lp, new_state))
            candidates.sort(key=lambda c: c[1], reverse=True)
            beams = []
            for candidate in candidates[:beam_size]:
                (finished if candidate[0][-1] == eos else beams).append(candidate)
            if not beams:
                break
        finished.extend(beams)  # 到达 num_steps 仍未结束的候选也参与比较

    def score(candidate):
        return candidate[1] / len(candidate[0]) ** alpha

    tokens, _, _ = best = max(finished, key=score)
    if tokens[-1] == eos:
        tokens = tokens[:-1]
    return ' '.join(tgt_vocab.to_tokens(tokens)), score(best)


# 经典 d2l 中属于本书之后各章的名字 · d2l_local/later_chapters.py
def __getattr__(name):
    """包里没有的名字：属于经典 d2l 后面章节的，说明本书不涵盖；其他照常报错。"""
    raise later_chapters.missing_name_error(__name__, name)
