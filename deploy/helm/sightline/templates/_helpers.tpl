{{/* Labels of one component (its name is also its Service's name). */}}
{{- define "sightline.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: sightline
{{- end }}

{{/* The labels a component's pods are selected by. */}}
{{- define "sightline.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/* The pod security context, running as the user its image is built for. */}}
{{- define "sightline.podSecurityContext" -}}
{{- $user := int .user -}}
{{- toYaml (merge (dict "runAsUser" $user "runAsGroup" $user "fsGroup" $user) .root.Values.podSecurityContext) }}
{{- end }}

{{- define "sightline.containerSecurityContext" -}}
{{- toYaml .Values.containerSecurityContext }}
{{- end }}

{{/* Settings every pod shares: no API token (none calls the Kubernetes API), pull secrets. */}}
{{- define "sightline.podCommon" -}}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* image: repository:tag */}}
{{- define "sightline.image" -}}
{{ .repository }}:{{ .tag }}
{{- end }}

{{/* A data volume: a PersistentVolumeClaim when persistence is on, an emptyDir otherwise. */}}
{{- define "sightline.dataVolume" -}}
- name: data
{{- if .persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ .name }}-data
{{- else }}
  emptyDir: {}
{{- end }}
{{- end }}

{{- define "sightline.dataClaim" -}}
{{- if .persistence.enabled }}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ .name }}-data
  labels:
    {{- include "sightline.labels" . | nindent 4 }}
spec:
  accessModes: [ReadWriteOnce]
  {{- with .persistence.storageClassName }}
  storageClassName: {{ . }}
  {{- end }}
  resources:
    requests:
      storage: {{ .persistence.size }}
{{- end }}
{{- end }}

{{/* The services' list (files/services.json, from infra/dev/services.ts). */}}
{{- define "sightline.services" -}}
{{- .Files.Get "files/services.json" }}
{{- end }}

{{/* The Secret holding PostgreSQL's passwords. */}}
{{- define "sightline.postgresSecret" -}}
{{- .Values.postgres.auth.existingSecret | default "postgres-auth" }}
{{- end }}

{{/* Its keys, as a JSON list: initdb's superuser password, and each service's role's. */}}
{{- define "sightline.postgresSecretKeys" -}}
{{- $keys := list "postgres-password" }}
{{- range include "sightline.services" . | fromJsonArray }}
{{- if .database }}
{{- $keys = append $keys (printf "%s-password" .name) }}
{{- end }}
{{- end }}
{{- toJson $keys }}
{{- end }}

{{/*
  One component's NetworkPolicy. `ingress` and `egress` are lists of {peers, port}: the
  components (by name) that may connect in, or be connected to, on that TCP port; an ingress
  rule without peers takes anyone. networkPolicy.extraEgress.<name> is added to the egress.
*/}}
{{- define "sightline.networkPolicy" -}}
{{- $root := .root }}
{{- $extra := index $root.Values.networkPolicy.extraEgress .name | default list }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .name }}
  labels:
    {{- include "sightline.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "sightline.selector" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  {{- with .ingress }}
  ingress:
    {{- range . }}
    - ports:
        - port: {{ .port }}
      {{- with .peers }}
      from:
        {{- range . }}
        - podSelector:
            matchLabels:
              {{- include "sightline.selector" (dict "name" . "root" $root) | nindent 14 }}
        {{- end }}
      {{- end }}
    {{- end }}
  {{- end }}
  {{- if or .egress $extra }}
  egress:
    {{- range .egress }}
    - ports:
        - port: {{ .port }}
      to:
        {{- range .peers }}
        - podSelector:
            matchLabels:
              {{- include "sightline.selector" (dict "name" . "root" $root) | nindent 14 }}
        {{- end }}
    {{- end }}
    {{- with $extra }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
{{- end }}
