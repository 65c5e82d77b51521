// Everything a plugin needs.
#pragma once
#include "hfx/abi.h"
#include "hfx/blocks/attention.h"
#include "hfx/blocks/heads.h"
#include "hfx/blocks/nn.h"
#include "hfx/blocks/seq2seq.h"
#include "hfx/config.h"
#include "hfx/graph.h"
#include "hfx/onnx_config.h"
#include "hfx/ops.h"
#include "hfx/plugin.h"
#include "hfx/weights.h"
