"""快速模式：设置环境变量 ``D2L_QUICK=1`` 后，包里的数据加载器和训练函数缩小工作量。

这是手写的支撑模块（不由 #@save 单元生成）。快速模式只缩小“工作量”——更少的轮数、
每轮更少的批量、更短的语料——笔记本里的单元和代码路径一个不少地照常执行。
每缩小一样东西，都会在笔记本里打印一行醒目的说明（同一个内核里每样只打印一次），
免得有人把快速模式的结果误当成书中的真实结果。``make test`` 和 CI 使用快速模式；
读者默认使用完整模式。
"""
import itertools
import os

NOTICE_PREFIX = '[快速模式 D2L_QUICK=1]'

_announced = set()


def enabled():
    """是否处于快速模式。"""
    return os.environ.get('D2L_QUICK', '').strip().lower() not in ('', '0', 'false', 'no')


def announce(change):
    """打印一行快速模式说明；同一条说明在一个内核里只打印一次。"""
    if change not in _announced:
        _announced.add(change)
        print(f'{NOTICE_PREFIX} {change}（完整模式不缩小）', flush=True)


def choose(what, full, quick):
    """完整模式返回 ``full``；快速模式返回 ``quick``，并说明 ``what`` 从多少缩成了多少。

    快速模式只缩小不放大：``full`` 本来就不大于 ``quick`` 时原样返回。负数按书中的惯例
    表示“全部”（例如 ``max_tokens=-1`` 是整部语料），算作比任何数都大。
    """
    everything = full < 0
    if not enabled() or (not everything and full <= quick):
        return full
    announce(f'{what}：{"全部" if everything else full} → {quick}')
    return quick


def limit(iterable, max_items, what):
    """快速模式下最多取 ``iterable`` 的前 ``max_items`` 项（例如每轮的批量数）。"""
    if not enabled():
        return iterable
    announce(f'{what}：最多 {max_items}')
    return itertools.islice(iterable, max_items)
