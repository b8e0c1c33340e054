"""第 5 章 深度学习计算：书中保存的定义，按讲授的顺序。

本文件由 tools/build_lib.py 从书中的 #@save 单元生成，请勿手工修改：修改书中的单元后运行 `make lib`。
"""
import torch

__all__ = [
    'try_gpu', 'try_all_gpus',
]


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
