#!/usr/bin/env bash
# test_win_mapping.sh -- the forms Windows writes where Sigma rules expect
# another (src/detect/detect_winmap.c, detect_logsource.c), each on an
# event rebuilt from the corpus record that showed the gap (values copied,
# JSON lines as `vigil parse` prints them), with a negative beside it:
#   - 5145 AccessList codes (%%4417) against rules naming WriteData, and
#     rule codes against events rendered with names;
#   - Security 4688 IntegrityLevel from MandatoryLabel;
#   - |fieldref by the referenced field's mapped name, and
#     |fieldref|startswith/endswith/contains;
#   - category antivirus on Defender 1116, network_connection on 5156,
#     registry_set on 4657, wmi_event on WMI-Activity 5861;
#   - a product's rules only on that product's records (zeek);
#   - exit 65 for an EVTX file none of whose records decode.
# With the corpus, SigmaHQ's own rules must also fire on the recordings.
set -u
: "${VIGIL_BIN:?VIGIL_BIN not set}"
CORPUS=${VIGIL_CORPUS:-${VIGIL_SOURCE_DIR:-.}/../shared/data}
W=$(mktemp -d /tmp/vigil_winmap.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail=0

# hits RULEFILE EVENTS: matches of the one rule in RULEFILE
hits() {
    "$VIGIL_BIN" hunt --no-builtin --no-cache --rules "$1" --json \
        --min-level informational --jobs 1 "$2" 2>"$W/err" |
        grep -c '^{"@timestamp"'
}
# want N RULEFILE EVENTS WHAT
want() {
    local got
    got=$(hits "$2" "$3")
    if [ "$got" != "$1" ]; then
        echo "FAIL: $4: $got matches, want $1"
        cat "$W/err"
        fail=1
    else
        echo "ok: $4 ($got)"
    fi
}
rule() { # rule NAME LOGSOURCE-LINES DETECTION-LINES
    printf 'title: %s\nid: 0f0e0d0c-0b0a-4909-8807-%012d\nlogsource:\n%s\ndetection:\n%s\nlevel: high\n' \
        "$1" "$RANDOM" "$2" "$3" >"$W/$1.yml"
}
SEC='    product: windows
    service: security'
PROC='    product: windows
    category: process_creation'

# ---- 5145: access rights by name and by code
# LM_Remote_Service01_5145_svcctl.evtx: svcctl opened over IPC$ for writing
printf '%s\n' '{"@timestamp":"2019-03-19T00:37:55.583518Z","EventID":5145,"Channel":"Security","Computer":"PC02.example.corp","SubjectUserName":"Administrator","ObjectType":"File","IpAddress":"10.0.2.17","ShareName":"\\\\*\\IPC$","RelativeTargetName":"svcctl","AccessMask":"0x12019f","AccessList":"%%1538\r\n\t\t\t\t%%1541\r\n\t\t\t\t%%4416\r\n\t\t\t\t%%4417\r\n\t\t\t\t%%4418\r\n\t\t\t\t%%4419\r\n\t\t\t\t%%4420\r\n\t\t\t\t%%4423\r\n\t\t\t\t%%4424"}' >"$W/5145.log"
printf '%s\n' '{"@timestamp":"2019-03-19T00:37:55.583518Z","EventID":5145,"Channel":"Security","ShareName":"\\\\*\\IPC$","RelativeTargetName":"svcctl","AccessList":"%%1538\r\n\t\t\t\t%%4416"}' >"$W/5145_read.log"
printf '%s\n' '{"@timestamp":"2019-03-19T00:37:55.583518Z","EventID":5145,"Channel":"Security","ShareName":"\\\\*\\IPC$","RelativeTargetName":"svcctl","AccessList":"READ_CONTROL SYNCHRONIZE ReadData (or ListDirectory) WriteData (or AddFile)"}' >"$W/5145_named.log"
rule by_name "$SEC" "    selection:
        EventID: 5145
        RelativeTargetName: svcctl
        AccessList|contains: 'WriteData'
    condition: selection"
rule by_code "$SEC" "    selection:
        EventID: 5145
        AccessList|contains: '%%4417'
    condition: selection"
want 1 "$W/by_name.yml" "$W/5145.log" "WriteData finds %%4417"
want 0 "$W/by_name.yml" "$W/5145_read.log" "WriteData not in a read-only access list"
want 1 "$W/by_code.yml" "$W/5145_named.log" "%%4417 finds a rendered WriteData"
want 0 "$W/by_code.yml" "$W/5145_read.log" "%%4417 not in a read-only access list"

# ---- 4688: IntegrityLevel from MandatoryLabel
# ID4688,4697,5140-5145 PSexec: cmd.exe started by PSEXESVC as System
printf '%s\n' '{"@timestamp":"2021-04-21T09:40:32.531035Z","EventID":4688,"Channel":"Security","Computer":"srvdefender01.offsec.lan","SubjectUserSid":"S-1-5-18","NewProcessId":"0x15d4","NewProcessName":"C:\\Windows\\cmd.exe","ProcessId":"0xc24","CommandLine":"\"cmd.exe\" -u demo\\admmig -accepteula","ParentProcessName":"C:\\Windows\\PSEXESVC.exe","MandatoryLabel":"S-1-16-16384"}' >"$W/4688.log"
sed 's/S-1-16-16384/S-1-16-8192/' "$W/4688.log" >"$W/4688_medium.log"
rule integrity "$PROC" "    selection:
        Image|endswith: '\\cmd.exe'
        IntegrityLevel: 'System'
    condition: selection"
want 1 "$W/integrity.yml" "$W/4688.log" "IntegrityLevel System is S-1-16-16384"
want 0 "$W/integrity.yml" "$W/4688_medium.log" "IntegrityLevel System is not S-1-16-8192"

# ---- fieldref: mapped names and the comparison modifiers
# the same 4688 with the parent's image as its own (a process starting
# itself): Image and ParentImage are NewProcessName and ParentProcessName
sed 's/"ParentProcessName":"[^"]*"/"ParentProcessName":"C:\\\\Windows\\\\cmd.exe"/' \
    "$W/4688.log" >"$W/4688_self.log"
rule self "$PROC" "    selection:
        Image|fieldref: ParentImage
    condition: selection"
want 1 "$W/self.yml" "$W/4688_self.log" "fieldref ParentImage reads ParentProcessName"
want 0 "$W/self.yml" "$W/4688.log" "fieldref: different parent"
rule cmdl_ends "$PROC" "    selection:
        ParentImage|fieldref|endswith: Image
    condition: selection"
rule cmdl_starts "$PROC" "    selection:
        CommandLine|fieldref|startswith: NewProcessName
    condition: selection"
rule cmdl_has "$PROC" "    selection:
        CommandLine|fieldref|contains: SubjectUserSid
    condition: selection"
printf '%s\n' '{"@timestamp":"2021-04-21T09:40:32.366277Z","EventID":4688,"Channel":"Security","SubjectUserSid":"S-1-5-18","NewProcessName":"C:\\Windows\\PSEXESVC.exe","CommandLine":"C:\\Windows\\PSEXESVC.exe -s S-1-5-18","ParentProcessName":"C:\\Windows\\System32\\services.exe"}' >"$W/4688_psexesvc.log"
want 1 "$W/cmdl_starts.yml" "$W/4688_psexesvc.log" "fieldref|startswith"
want 0 "$W/cmdl_starts.yml" "$W/4688.log" "fieldref|startswith: quoted command line"
want 1 "$W/cmdl_has.yml" "$W/4688_psexesvc.log" "fieldref|contains"
want 0 "$W/cmdl_has.yml" "$W/4688.log" "fieldref|contains: not in the command line"
printf '%s\n' '{"@timestamp":"2021-04-21T09:40:32.366277Z","EventID":4688,"Channel":"Security","NewProcessName":"cmd.exe","ParentProcessName":"C:\\Windows\\cmd.exe"}' >"$W/4688_tail.log"
want 1 "$W/cmdl_ends.yml" "$W/4688_tail.log" "fieldref|endswith"
want 0 "$W/cmdl_ends.yml" "$W/4688_psexesvc.log" "fieldref|endswith: other name"

# ---- antivirus on Defender detections (field names of Defender 1116)
printf '%s\n' '{"@timestamp":"2024-03-04T10:00:00.000000Z","EventID":1116,"Channel":"Microsoft-Windows-Windows Defender/Operational","Product Name":"Microsoft Defender Antivirus","Threat Name":"HackTool:Win64/Mimikatz!pz","Severity Name":"High","Category Name":"Tool","Path":"file:_C:\\Users\\bob\\Downloads\\mimikatz.exe","Process Name":"C:\\Windows\\explorer.exe","Detection User":"EXAMPLE\\bob","Action Name":"Not Applicable"}' >"$W/1116.log"
sed 's/Windows Defender\/Operational/Windows Defender\/WHC/' "$W/1116.log" >"$W/1116_other.log"
rule av "    product: windows
    category: antivirus" "    selection:
        Signature|contains: 'Mimikatz'
        Filename|endswith: '.exe'
    condition: selection"
want 1 "$W/av.yml" "$W/1116.log" "antivirus: Defender 1116 Threat Name and Path"
want 0 "$W/av.yml" "$W/1116_other.log" "antivirus: not another channel"

# ---- network_connection on Security 5156
printf '%s\n' '{"@timestamp":"2024-03-04T10:00:00.000000Z","EventID":5156,"Channel":"Security","ProcessID":"4242","Application":"\\device\\harddiskvolume2\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe","Direction":"%%14593","SourceAddress":"10.0.0.5","SourcePort":"50123","DestAddress":"203.0.113.9","DestPort":"4444","Protocol":"6"}' >"$W/5156.log"
sed 's/%%14593/%%14592/' "$W/5156.log" >"$W/5156_in.log"
rule net "    product: windows
    category: network_connection" "    selection:
        Image|endswith: '\\powershell.exe'
        DestinationPort: 4444
        DestinationIp|cidr: '203.0.113.0/24'
        Initiated: 'true'
    condition: selection"
want 1 "$W/net.yml" "$W/5156.log" "network_connection: 5156 outbound"
want 0 "$W/net.yml" "$W/5156_in.log" "network_connection: 5156 inbound is not Initiated"

# ---- registry_set on Security 4657
printf '%s\n' '{"@timestamp":"2024-03-04T10:00:00.000000Z","EventID":4657,"Channel":"Security","SubjectUserName":"bob","ObjectName":"\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run","ObjectValueName":"updater","OperationType":"%%1904","NewValueType":"%%1873","NewValue":"C:\\Users\\Public\\updater.exe","ProcessName":"C:\\Windows\\System32\\reg.exe"}' >"$W/4657.log"
sed 's/CurrentVersion\\\\Run/CurrentVersion\\\\Explorer/' "$W/4657.log" >"$W/4657_other.log"
rule reg "    product: windows
    category: registry_set" "    selection:
        TargetObject|startswith: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run'
        Details|contains: '\\Users\\Public\\'
    condition: selection"
want 1 "$W/reg.yml" "$W/4657.log" "registry_set: 4657 under HKLM"
want 0 "$W/reg.yml" "$W/4657_other.log" "registry_set: 4657 another key"

# ---- wmi_event on WMI-Activity 5861
printf '%s\n' '{"@timestamp":"2024-03-04T10:00:00.000000Z","EventID":5861,"Channel":"Microsoft-Windows-WMI-Activity/Operational","Namespace":"//./root/subscription","ESS":"Updater","CONSUMER":"CommandLineEventConsumer=\"Updater\"","PossibleCause":"Binding EventFilter: instance of __EventFilter { Query = \"SELECT * FROM __InstanceModificationEvent WITHIN 60\"; }; Perm. Consumer: instance of CommandLineEventConsumer { CommandLineTemplate = \"powershell.exe -nop -enc SQBFAFgA\"; Name = \"Updater\"; };"}' >"$W/5861.log"
sed 's/powershell.exe -nop -enc SQBFAFgA/C:\\\\Program Files\\\\Agent\\\\agent.exe/' "$W/5861.log" >"$W/5861_other.log"
rule wmi "    product: windows
    category: wmi_event" "    selection:
        Destination|contains: 'powershell'
    condition: selection"
want 1 "$W/wmi.yml" "$W/5861.log" "wmi_event: 5861 consumer"
want 0 "$W/wmi.yml" "$W/5861_other.log" "wmi_event: 5861 other consumer"

# ---- a product's rules on its records only
printf 'hello world\n' >"$W/hello.txt"
printf '%s\n' '{"ts":1709546400.0,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"198.51.100.7","id.orig_p":51515,"id.resp_h":"10.0.0.8","id.resp_p":3389,"proto":"tcp","service":"ssl"}' >"$W/zeek.log"
printf '%s\n' '{"ts":1709546400.0,"host":"web01","message":"not a zeek record","id":7}' >"$W/other.log"
rule zeek "    product: zeek
    service: conn" "    selection:
        id.resp_p: 22
    condition: not selection"
want 0 "$W/zeek.yml" "$W/hello.txt" "zeek rule on a text file"
want 0 "$W/zeek.yml" "$W/other.log" "zeek rule on another JSON log"
want 1 "$W/zeek.yml" "$W/zeek.log" "zeek rule on a Zeek record"

# ---- the corpus recordings, with SigmaHQ's rules
S=$CORPUS/sigmahq-sigma/rules/windows/builtin/security
E=$CORPUS/evtx-attack-samples
if [ -f "$S/win_security_svcctl_remote_service.yml" ] &&
    [ -f "$E/Lateral Movement/LM_Remote_Service01_5145_svcctl.evtx" ]; then
    want 1 "$S/win_security_svcctl_remote_service.yml" \
        "$E/Lateral Movement/LM_Remote_Service01_5145_svcctl.evtx" \
        "corpus: SigmaHQ svcctl rule (WriteData) on 5145"
    # an EVTX file none of whose records decode: every record's body
    # overwritten, headers kept
    python3 - "$E/Lateral Movement/LM_Remote_Service01_5145_svcctl.evtx" \
        "$W/broken.evtx" <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
for c in range(4096, len(b) - 65535, 65536):
    if b[c:c + 8] != b"ElfChnk\0":
        continue
    p = c + 512
    while p + 28 < c + 65536 and b[p:p + 4] == b"\x2a\x2a\0\0":
        n = struct.unpack_from("<I", b, p + 4)[0]
        if n < 28 or p + n > c + 65536:
            break
        b[p + 24:p + n - 4] = b"\xff" * (n - 28)
        p += n
open(sys.argv[2], "wb").write(b)
EOF
    "$VIGIL_BIN" hunt --no-builtin --no-cache --rules "$W/by_name.yml" -q \
        "$W/broken.evtx" >/dev/null 2>&1
    rc=$?
    if [ "$rc" != 65 ]; then
        echo "FAIL: EVTX file with no decodable record: exit $rc, want 65"
        fail=1
    else
        echo "ok: EVTX file with no decodable record exits 65"
    fi
else
    echo "SKIP: corpus checks ($CORPUS absent)"
fi
exit $fail
