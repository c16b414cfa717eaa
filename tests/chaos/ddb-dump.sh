#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prints every item of a chaos-run table as lines "ORDER_ID SITE_ID ORDER_DATE SHIP_MODE VERSION
# NOTE" sorted by ORDER_ID (absent or NULL attributes print as null), following Scan pages
# (LastEvaluatedKey) to the end; with "count" only the number of items. Exit 1 when a page
# cannot be read.
#
#   tests/chaos/ddb-dump.sh ENDPOINT TABLE [count]
set -u
[ $# -ge 2 ] || { echo "usage: $0 ENDPOINT TABLE [count]" >&2; exit 2; }
ep=$1 table=$2 count=${3:-}
sel=""
[ "$count" = count ] && sel=',"Select":"COUNT"'
total=0
start=""
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.page"' EXIT
while :; do
    if [ -n "$start" ]; then
        body="{\"TableName\":\"$table\",\"ExclusiveStartKey\":$start$sel}"
    else
        body="{\"TableName\":\"$table\"$sel}"
    fi
    curl -s -X POST "$ep/" -H 'Content-Type: application/x-amz-json-1.0' \
        -H 'X-Amz-Target: DynamoDB_20120810.Scan' -H 'X-Amz-Date: 20260101T000000Z' \
        -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00' \
        --data-binary "$body" >"$tmp.page" || { echo "scan of $table failed" >&2; exit 1; }
    if grep -q ResourceNotFoundException "$tmp.page"; then
        break # no table yet: no items
    fi
    jq -e 'has("Count")' "$tmp.page" >/dev/null 2>&1 ||
        { echo "bad scan page: $(head -c 300 "$tmp.page")" >&2; exit 1; }
    if [ -n "$sel" ]; then
        total=$((total + $(jq -r '.Count' "$tmp.page")))
    else
        jq -r '.Items[] | "\(.ORDER_ID.N // "null") \(.SITE_ID.N // "null") \(.ORDER_DATE.N // "null") \(.SHIP_MODE.S // "null") \(.VERSION.N // "null") \(.NOTE.S // "null")"' \
            "$tmp.page" >>"$tmp" || { echo "bad scan page: $(head -c 300 "$tmp.page")" >&2; exit 1; }
    fi
    start=$(jq -c '.LastEvaluatedKey // empty' "$tmp.page")
    [ -n "$start" ] || break
done
if [ -n "$sel" ]; then
    echo "$total"
else
    sort -n -k1,1 "$tmp"
fi
