"""第 2 章 预备知识：书中保存的定义，按讲授的顺序。

本文件由 tools/build_lib.py 从书中的 #@save 单元生成，请勿手工修改：修改书中的单元后运行 `make lib`。
"""
import torch
from matplotlib import pyplot as plt
from matplotlib_inline import backend_inline
from torch import nn

__all__ = [
    'ones', 'zeros', 'eye', 'tensor', 'arange', 'linspace', 'normal', 'rand', 'meshgrid', 'sin',
    'sinh', 'cos', 'cosh', 'tanh', 'exp', 'log', 'abs', 'matmul', 'concat', 'stack', 'int32',
    'float32', 'nn_Module', 'numpy', 'size', 'reshape', 'to', 'reduce_sum', 'argmax', 'astype',
    'transpose', 'use_svg_display', 'set_figsize', 'set_axes', 'plot',
]


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
