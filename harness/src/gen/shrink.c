#include "gen_internal.h"
