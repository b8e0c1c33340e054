"""经典 d2l 0.17.6 中属于本书之后各章的名字，以及访问它们时的说明。

本书只涵盖经典《动手学深度学习》（第二版）的第 1–9 章。读者照着后面章节的代码写 ``d2l.MultiHeadAttention``
之类的名字时，``d2l_local`` 不给出 Python 那句笼统的“没有这个属性”，而是说明它属于哪一章、本书不涵盖。
这是手写的数据模块；tests/test_d2l_api.py 用安装的 d2l 0.17.6 核对这张表，一个名字也不能多或少。
"""

LATER_CHAPTERS = {
    '第 10 章 注意力机制': (
        'show_heatmaps', 'masked_softmax', 'AdditiveAttention', 'DotProductAttention',
        'AttentionDecoder', 'MultiHeadAttention', 'transpose_qkv', 'transpose_output',
        'PositionalEncoding', 'PositionWiseFFN', 'AddNorm', 'EncoderBlock', 'TransformerEncoder',
    ),
    '第 11 章 优化算法': (
        'annotate', 'train_2d', 'show_trace_2d', 'get_data_ch11', 'train_ch11',
        'train_concise_ch11',
    ),
    '第 12 章 计算性能': (
        'Benchmark', 'split_batch', 'resnet18',
    ),
    '第 13 章 计算机视觉': (
        'train_batch_ch13', 'train_ch13', 'box_corner_to_center', 'box_center_to_corner',
        'bbox_to_rect', 'multibox_prior', 'show_bboxes', 'box_iou', 'assign_anchor_to_bbox',
        'offset_boxes', 'multibox_target', 'offset_inverse', 'nms', 'multibox_detection',
        'read_data_bananas', 'BananasDataset', 'load_data_bananas', 'read_voc_images',
        'VOC_COLORMAP', 'VOC_CLASSES', 'voc_colormap2label', 'voc_label_indices', 'voc_rand_crop',
        'VOCSegDataset', 'load_data_voc', 'read_csv_labels', 'copyfile', 'reorg_train_valid',
        'reorg_test',
    ),
    '第 14 章 自然语言处理：预训练': (
        'read_ptb', 'subsample', 'get_centers_and_contexts', 'RandomGenerator', 'get_negatives',
        'batchify', 'load_data_ptb', 'TokenEmbedding', 'get_tokens_and_segments', 'BERTEncoder',
        'MaskLM', 'NextSentencePred', 'BERTModel', '_read_wiki', '_get_next_sentence',
        '_get_nsp_data_from_paragraph', '_replace_mlm_tokens', '_get_mlm_data_from_tokens',
        '_pad_bert_inputs', '_WikiTextDataset', 'load_data_wiki', '_get_batch_loss_bert',
    ),
    '第 15 章 自然语言处理：应用': (
        'read_imdb', 'load_data_imdb', 'predict_sentiment', 'read_snli', 'SNLIDataset',
        'load_data_snli', 'predict_snli',
    ),
    '英文版的生成对抗网络一章': (
        'update_D', 'update_G',
    ),
}

CHAPTER_OF = {name: chapter for chapter, names in LATER_CHAPTERS.items() for name in names}


def missing_name_error(module_name, name):
    """访问包里不存在的名字 ``name`` 时要抛出的 AttributeError。"""
    chapter = CHAPTER_OF.get(name)
    if chapter is None:
        return AttributeError(f'module {module_name!r} has no attribute {name!r}')
    return AttributeError(
        f'{module_name}.{name} 属于经典《动手学深度学习》（d2l 0.17.6）的{chapter}，'
        f'本书只涵盖第 1–9 章，d2l_local 没有提供它。需要时请参阅经典版的这一章。')
