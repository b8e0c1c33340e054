"""《动手学深度学习》（PyTorch 版）配套包 d2l_local，用法与经典的 d2l 0.17.6 相同::

    import d2l_local as d2l

包的各层从文件名就能看出：

- ``ch2_preliminaries.py`` … ``ch9_recurrent_modern.py``：书中各章保存的定义（由书生成）；
- ``hub.py``：数据层，登记本书用到的每个数据文件，查找、下载并校验；
- ``workload.py``：工作量策略，快速模式和只有 CPU 时缩小什么、缩小多少，以及统一的说明格式；
- ``_helpers.py``：训练函数共用的私有小工具（设备、混合精度、吞吐量），不属于 d2l 的 API；
- ``later_chapters.py``：经典 d2l 中属于本书之后各章的名字，访问时给出说明。

本文件由 tools/build_lib.py 从书中的 #@save 单元生成，请勿手工修改：修改书中的单元后运行 `make lib`。
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
from d2l_local import _helpers, hub, later_chapters, workload
from d2l_local.ch2_preliminaries import (
    ones, zeros, eye, tensor, arange, linspace, normal, rand, meshgrid, sin, sinh, cos, cosh,
    tanh, exp, log, abs, matmul, concat, stack, int32, float32, nn_Module, numpy, size, reshape,
    to, reduce_sum, argmax, astype, transpose, use_svg_display, set_figsize, set_axes, plot,
)
from d2l_local.ch3_linear_networks import (
    Timer, synthetic_data, linreg, squared_loss, sgd, load_array, read_fashion_mnist,
    FASHION_MNIST_CLASSES, get_fashion_mnist_labels, show_images, get_dataloader_workers,
    resize_matrix, TensorLoader, load_data_fashion_mnist, accuracy, evaluate_accuracy,
    Accumulator, train_epoch_ch3, Animator, train_ch3, predict_ch3,
)
from d2l_local.ch4_multilayer_perceptrons import (
    evaluate_loss, DATA_URL, DATA_HUB, download, download_extract, download_all,
)
from d2l_local.ch5_deep_learning_computation import (
    try_gpu, try_all_gpus,
)
from d2l_local.ch6_convolutional_neural_networks import (
    corr2d, evaluate_accuracy_gpu, train_ch6,
)
from d2l_local.ch7_convolutional_modern import (
    Residual,
)
from d2l_local.ch8_recurrent_neural_networks import (
    read_time_machine, tokenize, Vocab, count_corpus, load_corpus_time_machine,
    seq_data_iter_random, seq_data_iter_sequential, SeqDataLoader, load_data_time_machine,
    RNNModelScratch, predict_ch8, grad_clipping, train_epoch_ch8, train_ch8, RNNModel,
)
from d2l_local.ch9_recurrent_modern import (
    read_data_nmt, preprocess_nmt, tokenize_nmt, show_list_len_pair_hist, truncate_pad,
    build_array_nmt, load_data_nmt, Encoder, Decoder, EncoderDecoder, Seq2SeqEncoder,
    Seq2SeqDecoder, sequence_mask, MaskedSoftmaxCELoss, train_seq2seq, predict_seq2seq, bleu,
    beam_search_seq2seq,
)

d2l = sys.modules[__name__]  # 经典 d2l 的 d2l.d2l：指包自身

__all__ = [
    'ones', 'zeros', 'eye', 'tensor', 'arange', 'linspace', 'normal', 'rand', 'meshgrid', 'sin',
    'sinh', 'cos', 'cosh', 'tanh', 'exp', 'log', 'abs', 'matmul', 'concat', 'stack', 'int32',
    'float32', 'nn_Module', 'numpy', 'size', 'reshape', 'to', 'reduce_sum', 'argmax', 'astype',
    'transpose', 'use_svg_display', 'set_figsize', 'set_axes', 'plot', 'Timer',
    'synthetic_data', 'linreg', 'squared_loss', 'sgd', 'load_array', 'read_fashion_mnist',
    'FASHION_MNIST_CLASSES', 'get_fashion_mnist_labels', 'show_images',
    'get_dataloader_workers', 'resize_matrix', 'TensorLoader', 'load_data_fashion_mnist',
    'accuracy', 'evaluate_accuracy', 'Accumulator', 'train_epoch_ch3', 'Animator', 'train_ch3',
    'predict_ch3', 'evaluate_loss', 'DATA_URL', 'DATA_HUB', 'download', 'download_extract',
    'download_all', 'try_gpu', 'try_all_gpus', 'corr2d', 'evaluate_accuracy_gpu', 'train_ch6',
    'Residual', 'read_time_machine', 'tokenize', 'Vocab', 'count_corpus',
    'load_corpus_time_machine', 'seq_data_iter_random', 'seq_data_iter_sequential',
    'SeqDataLoader', 'load_data_time_machine', 'RNNModelScratch', 'predict_ch8',
    'grad_clipping', 'train_epoch_ch8', 'train_ch8', 'RNNModel', 'read_data_nmt',
    'preprocess_nmt', 'tokenize_nmt', 'show_list_len_pair_hist', 'truncate_pad',
    'build_array_nmt', 'load_data_nmt', 'Encoder', 'Decoder', 'EncoderDecoder',
    'Seq2SeqEncoder', 'Seq2SeqDecoder', 'sequence_mask', 'MaskedSoftmaxCELoss', 'train_seq2seq',
    'predict_seq2seq', 'bleu', 'beam_search_seq2seq',
]


def __getattr__(name):
    """包里没有的名字：属于经典 d2l 后面章节的，说明本书不涵盖；其他照常报错。"""
    raise later_chapters.missing_name_error(__name__, name)
