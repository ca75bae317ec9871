#! /usr/bin/env bash
set -e
python -m app.backend_pre_start
# tables from the models, then mark the migrations as applied
python -m app.init_db
python -m app.seed
