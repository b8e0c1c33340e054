"""绘图工具与 d2l 0.17.6 的对照：同样的签名；同样的数据画在同样设置的坐标轴上。"""
import inspect

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use('Agg')
from matplotlib import pyplot as plt  # noqa: E402

import d2l_local  # noqa: E402

reference = pytest.importorskip('d2l.torch', reason='需要 pip install --no-deps d2l==0.17.6')

FUNCTIONS = ['use_svg_display', 'set_figsize', 'set_axes', 'plot']


@pytest.mark.parametrize('name', FUNCTIONS)
def test_same_signature(name):
    assert (inspect.signature(getattr(d2l_local, name))
            == inspect.signature(getattr(reference, name)))


def describe(axes):
    """一个坐标轴上画了什么、怎么设置的。"""
    legend = axes.get_legend()
    return {
        'lines': [(line.get_xdata().tolist(), line.get_ydata().tolist(),
                   line.get_linestyle(), line.get_color(), line.get_marker())
                  for line in axes.get_lines()],
        'labels': (axes.get_xlabel(), axes.get_ylabel()),
        'scales': (axes.get_xscale(), axes.get_yscale()),
        'limits': (axes.get_xlim(), axes.get_ylim()),
        'legend': [t.get_text() for t in legend.get_texts()] if legend else None,
        'grid': (axes.xaxis.get_gridlines()[0].get_visible(),
                 axes.yaxis.get_gridlines()[0].get_visible()),
    }


x = torch.arange(0, 3, 0.25)
CASES = {
    'y only (tensor)': dict(X=x ** 2),
    'y only (list)': dict(X=[1.0, 4.0, 2.0, 3.0]),
    'x and y': dict(X=x, Y=torch.sin(x), xlabel='x', ylabel='sin(x)'),
    'shared x, several y': dict(X=x, Y=[x, x ** 2, 2 * x - 1], legend=['x', 'x^2', '2x-1']),
    'several x and y': dict(X=[x, x + 1], Y=[x ** 2, x ** 3], xlim=[0, 4], ylim=[-1, 30]),
    'numpy 2-D': dict(X=np.linspace(1, 10, 5), Y=np.stack([np.linspace(1, 10, 5) ** 2]),
                      xscale='log', yscale='log', fmts=('b-o',)),
    'y only (list of tensors)': dict(X=[x, x * 2]),
}


@pytest.mark.parametrize('case', CASES)
def test_plot_draws_the_same(case):
    fig, (ours, theirs) = plt.subplots(1, 2)
    try:
        d2l_local.plot(axes=ours, **CASES[case])
        reference.plot(axes=theirs, **CASES[case])
        assert describe(ours) == describe(theirs)
        assert describe(ours)['lines'], '应当画出曲线'
    finally:
        plt.close(fig)


def test_set_axes_same_settings():
    fig, (ours, theirs) = plt.subplots(1, 2)
    try:
        args = ('时间', '损失', [1, 10], [0.1, 5], 'linear', 'log', ['train'])
        for axes, module in ((ours, d2l_local), (theirs, reference)):
            axes.plot([1, 10], [5, 0.1])
            module.set_axes(axes, *args)
        assert describe(ours) == describe(theirs)
    finally:
        plt.close(fig)


def test_set_figsize_sets_the_same_default():
    d2l_local.set_figsize((4.5, 3))
    ours = tuple(plt.rcParams['figure.figsize'])
    reference.set_figsize((4.5, 3))
    assert ours == tuple(plt.rcParams['figure.figsize']) == (4.5, 3)
    d2l_local.set_figsize()
    assert tuple(plt.rcParams['figure.figsize']) == (3.5, 2.5)
