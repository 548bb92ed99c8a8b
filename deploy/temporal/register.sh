#!/bin/sh
# Once Temporal answers: creates the namespace if it is missing and registers ackflow's
# search attributes (SEARCH_ATTRIBUTES, `Name=Type` pairs, the same list `ackflow dev` passes
# to its dev server). Safe to run again: what exists already is left as it is.
set -eu

ns="$TEMPORAL_NAMESPACE"

tries=0
until temporal operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "register: Temporal at $TEMPORAL_ADDRESS did not answer in two minutes" >&2
    exit 1
  fi
  sleep 2
done

if ! temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
  temporal operator namespace create --namespace "$ns" --retention 168h
fi

# A new namespace takes a few seconds to reach every cache; until then it reads as missing.
tries=0
until existing=$(temporal operator search-attribute list --namespace "$ns" 2>/dev/null); do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then
    echo "register: namespace $ns is still not readable" >&2
    exit 1
  fi
  sleep 2
done
for pair in $SEARCH_ATTRIBUTES; do
  name=${pair%%=*}
  type=${pair#*=}
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "register: $name exists already"
  else
    temporal operator search-attribute create --namespace "$ns" --name "$name" --type "$type"
  fi
done
echo "register: namespace $ns ready"
