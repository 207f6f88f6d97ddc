#!/usr/bin/env bash
# A dated backup of the installation (`flask backup create`), then the ones older than
# THIDUA_BACKUP_KEEP_DAYS removed. Run by thidua-backup.timer; by hand: sudo -u thidua deploy/backup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${THIDUA_ENV_LOADED:-}" ] || exec deploy/with-env "$0" "$@"
dir=${THIDUA_BACKUP_DIR:-/var/backups/thidua}
keep=${THIDUA_BACKUP_KEEP_DAYS:-30}
mkdir -p "$dir"
target="$dir/thidua-$(date +%Y%m%d-%H%M%S).tar.gz"
.venv/bin/flask --app thidua backup create "$target"
find "$dir" -maxdepth 1 -name 'thidua-*.tar.gz' -mtime "+$keep" -delete
echo "backup written: $target"
