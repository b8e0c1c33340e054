"""《动手学深度学习》（PyTorch 版）配套包 d2l_local。

本文件由 tools/build_lib.py 从书中标记为 #@save 的代码单元生成，请勿手工修改：
修改书中的单元后运行 `make lib`。用法与经典的 d2l 0.17.6 相同：

    import d2l_local as d2l

hub（数据登记与获取）和 quick（快速模式）是手写的支撑模块。
"""

import sys
from matplotlib import pyplot as plt
from matplotlib_inline import backend_inline
from d2l_local import hub, quick

d2l = sys.modules[__name__]


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
