"""第 3 章 线性神经网络：书中保存的定义，按讲授的顺序。

本文件由 tools/build_lib.py 从书中的 #@save 单元生成，请勿手工修改：修改书中的单元后运行 `make lib`。
"""
import copy
import functools
import gzip
import math
import numpy as np
import struct
import time
import torch
from IPython import display
from matplotlib import pyplot as plt
from torch.nn import functional as F
from torch.utils import data
from d2l_local import _helpers, hub, workload
from d2l_local.ch2_preliminaries import set_axes, use_svg_display

__all__ = [
    'Timer', 'synthetic_data', 'linreg', 'squared_loss', 'sgd', 'load_array',
    'read_fashion_mnist', 'FASHION_MNIST_CLASSES', 'get_fashion_mnist_labels', 'show_images',
    'get_dataloader_workers', 'resize_matrix', 'TensorLoader', 'load_data_fashion_mnist',
    'accuracy', 'evaluate_accuracy', 'Accumulator', 'train_epoch_ch3', 'Animator', 'train_ch3',
    'predict_ch3',
]


# 3.1 线性回归 · chapter_linear-networks/linear-regression
class Timer:
    """秒表：start 开始一段计时，stop 结束这一段并记下它的秒数。"""

    def __init__(self):
        self.times = []  # 每一段的秒数
        self.start()

    def start(self):
        """开始（或重新开始）计时。"""
        self.tik = time.perf_counter()

    def stop(self):
        """结束这一段计时，记下并返回它的秒数。"""
        elapsed = time.perf_counter() - self.tik
        self.times.append(elapsed)
        return elapsed

    def avg(self):
        """各段的平均秒数。"""
        return self.sum() / len(self.times)

    def sum(self):
        """各段的总秒数。"""
        return sum(self.times)

    def cumsum(self):
        """到每一段结束时累计的秒数。"""
        return np.cumsum(self.times).tolist()


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
            param.sub_(lr * param.grad / batch_size)
            param.grad.zero_()


# 3.3 线性回归的简洁实现 · chapter_linear-networks/linear-regression-concise
def load_array(data_arrays, batch_size, is_train=True):
    """把若干个等长的张量包装成 PyTorch 的数据迭代器；训练时每轮打乱顺序。"""
    return data.DataLoader(data.TensorDataset(*data_arrays), batch_size, shuffle=is_train)


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
FASHION_MNIST_CLASSES = ('t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                         'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot')


# 3.5 图像分类数据集 · chapter_linear-networks/image-classification-dataset
def get_fashion_mnist_labels(labels):
    """把数字标签（0–9）换成 Fashion-MNIST 的英文类别名。"""
    return [FASHION_MNIST_CLASSES[int(label)] for label in labels]


# 3.5 图像分类数据集 · chapter_linear-networks/image-classification-dataset
def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    """把一组图像画成 num_rows 行 num_cols 列的网格（不画坐标轴），返回各子图的坐标轴。"""
    _, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale))
    axes = axes.flatten()
    for k, (ax, img) in enumerate(zip(axes, imgs)):
        ax.imshow(img.detach().cpu().numpy() if torch.is_tensor(img) else img)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(False)
        if titles:
            ax.set_title(titles[k])
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

    图像以 uint8 (N, H, W) 保存在 images 里；取出一个批量时才整体转成 [0, 1] 的 float32，
    需要时再用 resize_matrix 给出的两个矩阵整体缩放。没有逐张图像的 Python 循环，也没有子进程。

    三个方法返回一个新的加载器，原来的不变：take(k) 每轮只产出前 k 批，
    to(device) 把数据整体搬到 device 上，resized(size) 换一个缩放后的大小。
    """

    def __init__(self, images, labels, batch_size, shuffle=False, resize=None):
        self.images, self.labels = images, labels
        self.batch_size, self.shuffle = batch_size, shuffle
        self._batches_per_epoch = math.ceil(len(labels) / batch_size)
        self._set_size(resize)

    def _set_size(self, resize):
        self.image_size = tuple(self.images.shape[1:])  # (高, 宽)
        self.resize = None
        if resize is not None:
            height, width = (resize, resize) if isinstance(resize, int) else resize
            self.image_size = (height, width)
            self.resize = (resize_matrix(self.images.shape[1], height).to(self.images.device),
                           resize_matrix(self.images.shape[2], width).to(self.images.device))

    @property
    def num_examples(self):
        """数据集里的样本数（与每轮取多少批无关）。"""
        return len(self.labels)

    def __len__(self):
        return self._batches_per_epoch

    def take(self, num_batches):
        """每轮最多产出 num_batches 批的新加载器。"""
        shorter = copy.copy(self)
        shorter._batches_per_epoch = min(len(self), num_batches)
        return shorter

    def to(self, device):
        """数据（和缩放矩阵）整体复制到 device 上的新加载器；已经在那里时返回自身。"""
        if self.labels.device == torch.device(device):
            return self
        moved = copy.copy(self)
        moved.images, moved.labels = self.images.to(device), self.labels.to(device)
        if self.resize is not None:
            moved.resize = tuple(R.to(device) for R in self.resize)
        return moved

    def resized(self, size):
        """把图像缩放成 size（边长或 (高, 宽)）的新加载器。"""
        other = copy.copy(self)
        other._set_size(size)
        return other

    def __iter__(self):
        n, device = len(self.labels), self.labels.device
        order = torch.randperm(n, device=device) if self.shuffle else torch.arange(n, device=device)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            index = order[start:start + self.batch_size]
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
    train_iter = TensorLoader(*read_fashion_mnist(train=True), batch_size,
                              shuffle=True, resize=resize)
    test_iter = TensorLoader(*read_fashion_mnist(train=False), batch_size, resize=resize)
    return workload.plan_data(train_iter, test_iter)


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
def accuracy(y_hat, y):
    """预测正确的样本数（浮点数）。y_hat 是每个类别的得分时先取 argmax，已经是类别时直接比较。"""
    predicted = y_hat.argmax(dim=1) if y_hat.ndim > 1 and y_hat.shape[1] > 1 else y_hat
    return float((predicted.type(y.dtype) == y).sum())


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
def evaluate_accuracy(net, data_iter):
    """模型在整个数据集上的精度：逐批累加答对的样本数和样本总数，最后相除。"""
    if hasattr(net, 'eval'):
        net.eval()  # nn.Module 切换到评估模式（关闭 dropout 等）；普通函数没有这个方法
    counts = Accumulator(2)  # 答对数、样本数
    with torch.no_grad():
        for X, y in data_iter:
            counts.add(accuracy(net(X), y), y.numel())
    return counts[0] / counts[1]


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
class Accumulator:
    """n 个累加器：add 把各个值分别加到对应的累加器上，用下标读出第 i 个累加值。"""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        for i, value in enumerate(args):
            self.data[i] += float(value)

    def reset(self):
        self.data = [0.0 for _ in self.data]

    def __getitem__(self, idx):
        return self.data[idx]


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
def train_epoch_ch3(net, train_iter, loss, updater):
    """训练模型一轮，返回这一轮的平均训练损失和训练精度。"""
    if hasattr(net, 'train'):
        net.train()  # nn.Module 切换到训练模式
    built_in = isinstance(updater, torch.optim.Optimizer)
    totals = Accumulator(3)  # 损失总和、答对数、样本数
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        if built_in:
            # PyTorch 的优化器：清掉上一步的梯度，对平均损失求梯度，再更新
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            # 自己写的更新函数（如 d2l.sgd）：对损失总和求梯度，由它除以批量大小
            l.sum().backward()
            updater(X.shape[0])
        totals.add(float(l.detach().sum()), accuracy(y_hat, y), y.numel())
    return totals[0] / totals[2], totals[1] / totals[2]


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
class Animator:
    """边训练边画图。

    在 Jupyter 中，第一次 add 时显示一张 SVG 图，以后每次 add 都通过它的显示句柄原地更新
    这一张图，同一单元里打印的其他文字不受影响；在脚本或 CI 中，每次 add 打印一行文字。
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None,
                 xlim=None, ylim=None, xscale='linear',
                 yscale='linear', fmts=('-', 'm--', 'g-.', 'r:'),
                 nrows=1, ncols=1, figsize=(3.5, 2.5)):
        self.xlabel, self.legend, self.fmts = xlabel, legend or [], fmts
        self.X = self.Y = None  # 每条曲线各一个列表：X[i]、Y[i] 是第 i 条曲线的横、纵坐标
        self.live, self.handle = _helpers.in_notebook(), None
        if self.live:
            use_svg_display()
            self.fig, axes = plt.subplots(nrows, ncols, figsize=figsize)
            self.axes = list(axes.flat) if nrows * ncols > 1 else [axes]
            # 图形交给显示句柄管理：单元结束时 matplotlib 不必再自动显示一遍
            plt.close(self.fig)
            self.config_axes = lambda: set_axes(
                self.axes[0], xlabel, ylabel, xlim, ylim, xscale, yscale, self.legend)

    def add(self, x, y):
        """添加一个或多个数据点：y 可以是一组数，对应图中的多条曲线；值为 None 的点跳过。"""
        ys = list(y) if hasattr(y, '__len__') else [y]
        xs = list(x) if hasattr(x, '__len__') else [x] * len(ys)
        if self.X is None:
            self.X, self.Y = [[] for _ in ys], [[] for _ in ys]
        for curve, (a, b) in enumerate(zip(xs, ys)):
            if a is not None and b is not None:
                self.X[curve].append(a)
                self.Y[curve].append(b)
        if not self.live:
            names = self.legend or [f'y{i}' for i in range(len(ys))]
            values = ', '.join(f'{name} {b:.4f}' for name, b in zip(names, ys) if b is not None)
            print(f'{self.xlabel or "x"} {xs[0]:g}: {values}', flush=True)
            return
        self.axes[0].cla()
        for curve_x, curve_y, fmt in zip(self.X, self.Y, self.fmts):
            self.axes[0].plot(curve_x, curve_y, fmt)
        self.config_axes()
        if self.handle is None:
            self.handle = display.display(self.fig, display_id=True)
        else:
            self.handle.update(self.fig)


# 3.6 softmax回归的从零开始实现 · chapter_linear-networks/softmax-regression-scratch
def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater):
    """训练模型（第3章）：每轮结束后画出训练损失、训练精度和测试精度，最后打印一行结果。"""
    num_epochs = workload.epochs('train_ch3', num_epochs)
    legend = ['train loss', 'train acc', 'test acc']
    animator = Animator(xlabel='epoch', xlim=[1, num_epochs], ylim=[0.3, 0.9], legend=legend)
    for epoch in range(1, num_epochs + 1):
        train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch, (train_loss, train_acc, test_acc))
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
