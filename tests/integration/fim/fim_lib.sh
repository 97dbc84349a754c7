# fim_lib.sh -- sourced by the fim integration tests that run test
# ransomware against `vigil run` (after daemon_lib.sh, which sets $T and
# $PID): counting alerts, counting the files damaged since make_tree
# wrote $T/before.sha, and running a program as the daemon's account.

alerts_of() { # kind
    "$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 |
        grep -c "\"rule_id\":\"$1\"" || true
}

damaged() {
    (cd "$T/tree" && sha256sum -c "$T/before.sha" 2>/dev/null | grep -vc ': OK$') || true
}

# as_daemon_user [own]: the prefix that runs a command as the daemon's
# account. Through inotify nobody is named by the kernel: a process is
# stopped only when it is the one holding a file of the trees open for
# writing, which /proc shows the daemon for its own account's processes (a
# daemon started as root runs as `vigil` and cannot read root's
# descriptors). The tree becomes that account's; with "own" $T too (for
# programs that work next to the tree), else $T is only made searchable.
as_daemon_user() {
    local uid gid
    uid=$(awk '/^Uid:/ {print $2}' "/proc/$PID/status")
    gid=$(awk '/^Gid:/ {print $2}' "/proc/$PID/status")
    if [ "$(id -u)" = 0 ] && [ "$uid" != 0 ]; then
        chown -R "$uid:$gid" "$T/tree"
        if [ "${1:-}" = own ]; then
            chown "$uid:$gid" "$T"
        else
            chmod 755 "$T"
        fi
        echo "setpriv --reuid=$uid --regid=$gid --clear-groups"
    fi
}
