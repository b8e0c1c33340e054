"""工作量策略：训练和读数据时，在什么情况下、把什么缩小多少。

这是手写的支撑模块（不由 #@save 单元生成）。书中的加载器和训练函数只在开头问它一次
（``plan_data``、``epochs``），函数体本身只写书中讲解的内容，没有预算的算术。

缩小工作量只有两个原因，说明的格式也只有一种：

* **快速模式**（环境变量 ``D2L_QUICK=1``）：``make test`` 和 CI 用。训练轮数更少、
  每轮的批量更少、语料更短；每个单元和每条代码路径照常执行，只是数字不再是书中的结果。
* **只有 CPU**：第 7 章的现代卷积网络按书中的设置是为 GPU 写的，在 CPU 上由该章的
  ``reduce_on_cpu`` 缩小（它目前还打印自己格式的说明，将并入这里）。

每缩小一样东西就打印一行（同一个内核里同一行只打印一次）::

    [快速模式 D2L_QUICK=1] 训练轮数：10 → 2（完整模式不缩小）

``reset_notices()`` 清空“已打印”的记录（测试用）。
"""
import os

QUICK = '快速模式 D2L_QUICK=1'
NOTICE_PREFIX = f'[{QUICK}]'      # 快速模式说明行的开头：比对笔记本输出时忽略这些行

_UNCHANGED_WHEN = {QUICK: '完整模式不缩小'}
_printed = set()

# 快速模式下每个训练函数的轮数
QUICK_EPOCHS = {'train_ch3': 2, 'train_ch6': 2, 'train_ch8': 20, 'train_seq2seq': 30}
QUICK_CORPUS = 3000               # 快速模式下语料的最大字符数


def quick_mode():
    """是否处于快速模式。"""
    return os.environ.get('D2L_QUICK', '').strip().lower() not in ('', '0', 'false', 'no')


def reset_notices():
    """忘掉已经打印过的说明，之后每条说明会再打印一次。"""
    _printed.clear()


def notice(reason, changes):
    """打印一行缩减说明：``[原因] 项目：原值 → 新值；……（何时不缩小）``。一行只打印一次。"""
    line = f'[{reason}] {"；".join(changes)}（{_UNCHANGED_WHEN[reason]}）'
    if line not in _printed:
        _printed.add(line)
        print(line, flush=True)


def _change(what, full, reduced):
    return f'{what}：{full} → {reduced}'


def quick(what, full, reduced):
    """完整模式返回 ``full``；快速模式返回 ``reduced`` 并说明。只缩小不放大。

    负数按书中的惯例表示“全部”（例如 ``max_tokens=-1`` 是整部语料），算作比任何数都大。
    """
    everything = full < 0
    if not quick_mode() or (not everything and full <= reduced):
        return full
    notice(QUICK, [_change(what, '全部' if everything else full, reduced)])
    return reduced


def plan_data(train_iter, test_iter):
    """``load_data_fashion_mnist`` 的工作量：快速模式下按像素预算只取每轮前面的若干批。

    每轮的像素总数约等于“28×28 的图像、批量 256、训练 20 批（测试 10 批）”：图像越大、
    批量越大，留下的批量越少（训练 2 到 20 批，测试 1 到 10 批）。
    """
    if not quick_mode():
        return train_iter, test_iter
    shortened = []
    for split, loader, floor, cap in (('训练', train_iter, 2, 20), ('测试', test_iter, 1, 10)):
        height, width = loader.image_size
        wanted = max(floor, min(cap, round(cap * 256 * 28 * 28 / (height * width * loader.batch_size))))
        count = quick(f'Fashion-MNIST 每轮的{split}批量数', len(loader), wanted)
        shortened.append(loader.take(count))
    return tuple(shortened)


def epochs(trainer, num_epochs):
    """训练函数 ``trainer``（如 ``'train_ch6'``）开始前问一次：这次训练几轮。"""
    return quick('训练轮数', num_epochs, QUICK_EPOCHS[trainer])
