{{/* Names */}}
{{- define "archivist.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "archivist.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "archivist.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "archivist.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "archivist.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "archivist.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "archivist.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* Labels. Args: dict "root" $ "component" "api" */}}
{{- define "archivist.selectorLabels" -}}
app.kubernetes.io/name: {{ include "archivist.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{- define "archivist.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "archivist.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Values.image.tag | default .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{/* Resources a pre-install hook (the migration Job) needs must be hooks themselves, created
     before it; hook resources are kept until the next upgrade replaces them. */}}
{{- define "archivist.preInstallResourceHook" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: "-10"
helm.sh/hook-delete-policy: before-hook-creation
{{- end }}

{{/* Security: the restricted Pod Security Standard, on every pod and container. */}}
{{- define "archivist.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.runAsUser }}
runAsGroup: {{ .Values.runAsGroup }}
fsGroup: {{ .Values.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "archivist.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.runAsUser }}
runAsGroup: {{ .Values.runAsGroup }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Pod spec fields every role shares. */}}
{{- define "archivist.podCommon" -}}
serviceAccountName: {{ include "archivist.serviceAccountName" . }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- include "archivist.podSecurityContext" . | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "archivist.podMetadata" -}}
labels:
  {{- include "archivist.selectorLabels" . | nindent 2 }}
  {{- with .root.Values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
annotations:
  checksum/secret: {{ include (print .root.Template.BasePath "/secret.yaml") .root | sha256sum }}
  {{- with .root.Values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  {{- with .annotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}

{{/* /tmp always; the data directory for roles that write there. Args: dict "root" $ "data" bool */}}
{{- define "archivist.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .root.Values.tmp.sizeLimit }}
{{- if .data }}
- name: data
  {{- if .root.Values.data.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .root.Values.data.existingClaim }}
  {{- else }}
  emptyDir:
    sizeLimit: {{ .root.Values.data.sizeLimit }}
  {{- end }}
{{- end }}
{{- end }}

{{- define "archivist.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .data }}
- name: data
  mountPath: {{ .root.Values.data.mountPath }}
{{- end }}
{{- end }}

{{/* A variable read from a Secret: the group's existingSecret, else the chart's own Secret.
     Args: dict "root" $ "name" "ENV_NAME" "group" .Values.x "key" "urlKey" */}}
{{- define "archivist.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .group.existingSecret | default (include "archivist.fullname" .root) }}
      key: {{ index .group .key }}
{{- end }}

{{/* Whether an optional secret is configured: an existingSecret, or an inline value.
     Args: dict "group" .Values.x "value" "apiKey" */}}
{{- define "archivist.hasSecret" -}}
{{- if or .group.existingSecret (index .group .value) }}true{{ end }}
{{- end }}

{{- define "archivist.plainEnv" -}}
{{- if .value }}
- name: {{ .name }}
  value: {{ .value | toString | quote }}
{{- end }}
{{- end }}

{{/* The environment every role shares: ARCHIVIST_* settings and the secrets it needs. */}}
{{- define "archivist.env" -}}
{{- $v := .Values -}}
- name: ARCHIVIST_DATA_DIR
  value: {{ $v.data.mountPath | quote }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_LOG_LEVEL" "value" $v.config.logLevel) }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_MAX_UPLOAD_MB" "value" $v.config.maxUploadMb) }}
- name: ARCHIVIST_AUTH__COOKIE_SECURE
  value: {{ $v.config.cookieSecure | toString | quote }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_DB__APP_ROLE" "value" $v.config.dbAppRole) }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_DB__POOL_SIZE" "value" $v.config.dbPoolSize) }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_S3__BUCKET" "value" $v.s3.bucket) }}
{{- if $v.s3.bucket }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_S3__ENDPOINT_URL" "value" $v.s3.endpointUrl) }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_S3__REGION" "value" $v.s3.region) }}
- name: ARCHIVIST_S3__PATH_STYLE
  value: {{ $v.s3.pathStyle | toString | quote }}
- name: ARCHIVIST_S3__SERVER_SIDE_ENCRYPTION
  value: {{ $v.s3.serverSideEncryption | quote }}
{{- end }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_LLM__BASE_URL" "value" $v.llm.baseUrl) }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_LLM__MODEL" "value" $v.llm.model) }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_LLM__PROVIDER" "value" $v.llm.provider) }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_EMBEDDING__PROVIDER" "value" $v.embedding.provider) }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_EMBEDDING__BASE_URL" "value" $v.embedding.baseUrl) }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_EMBEDDING__MODEL" "value" $v.embedding.model) }}
{{- include "archivist.plainEnv" (dict "name" "ARCHIVIST_EMBEDDING__DIM" "value" $v.embedding.dim) }}
{{ include "archivist.secretEnv" (dict "root" . "name" "DATABASE_URL" "group" $v.database "key" "urlKey") }}
{{ include "archivist.secretEnv" (dict "root" . "name" "REDIS_URL" "group" $v.redis "key" "urlKey") }}
{{ include "archivist.secretEnv" (dict "root" . "name" "ARCHIVIST_AUTH__JWT_SECRET" "group" $v.auth "key" "jwtSecretKey") }}
{{- if and $v.s3.bucket (include "archivist.hasSecret" (dict "group" $v.s3 "value" "accessKeyId")) }}
{{ include "archivist.secretEnv" (dict "root" . "name" "ARCHIVIST_S3__ACCESS_KEY_ID" "group" $v.s3 "key" "accessKeyIdKey") }}
{{ include "archivist.secretEnv" (dict "root" . "name" "ARCHIVIST_S3__SECRET_ACCESS_KEY" "group" $v.s3 "key" "secretAccessKeyKey") }}
{{- end }}
{{- if include "archivist.hasSecret" (dict "group" $v.llm "value" "apiKey") }}
{{ include "archivist.secretEnv" (dict "root" . "name" "ARCHIVIST_LLM__API_KEY" "group" $v.llm "key" "apiKeyKey") }}
{{- end }}
{{- if include "archivist.hasSecret" (dict "group" $v.embedding "value" "apiKey") }}
{{ include "archivist.secretEnv" (dict "root" . "name" "ARCHIVIST_EMBEDDING__API_KEY" "group" $v.embedding "key" "apiKeyKey") }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Whether migrations get an owner-role URL of their own. */}}
{{- define "archivist.hasMigrationUrl" -}}
{{- $db := .Values.database -}}
{{- if and $db.migrationUrlKey (or $db.existingSecret $db.migrationUrl) }}true{{ end }}
{{- end }}
