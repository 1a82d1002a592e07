"""Writes a CUR 2.0 (Data Exports) Parquet file of made-up lines for `cargo xtask bench-cur`.

Usage: cur2_generate.py <out.parquet> <lines>

About 1% of the lines are Amazon Bedrock: 0.8% Amazon Bedrock's own models (product code
AmazonBedrock) and 0.2% a model sold through AWS Marketplace (a Marketplace product code, the
billing entity "AWS Marketplace", the model in product['product_name']). The rest are ordinary
lines of other services. The columns are the ones a CUR 2.0 export with resource ids, IAM
principals and split cost allocation disabled carries, typed as AWS types them: times as
timestamps, amounts as doubles, `product`, `resource_tags`, `tags`, `cost_category` and
`discount` as maps. Lines are in a hashed order, as an export's lines are not sorted by
service. The same arguments always give the same file.
"""

import sys

import duckdb

out, lines = sys.argv[1], int(sys.argv[2])

duckdb.sql(f"""
COPY (
  WITH numbered AS (
    SELECT i, CAST(hash(i) >> 1 AS BIGINT) AS h,
      CAST(hash(i) % 1000 AS BIGINT) AS bucket, CAST(hash(i * 7 + 3) % 720 AS BIGINT) AS hour
    FROM range({lines}) t(i)
  ),
  kinds AS (
    SELECT *,
      CASE WHEN bucket < 8 THEN 'bedrock' WHEN bucket < 10 THEN 'marketplace'
           ELSE 'other' END AS kind,
      ['AmazonEC2', 'AmazonS3', 'AWSLambda', 'AmazonRDS', 'AmazonCloudWatch',
       'AmazonDynamoDB', 'AWSDataTransfer', 'AmazonVPC', 'AmazonEKS', 'AWSGlue'][(h % 10) + 1]
        AS other_code,
      ['Claude4.6Sonnet', 'Claude4.5Haiku', 'NovaLite', 'NovaPro'][(h % 4) + 1] AS bedrock_model,
      ['input-tokens', 'output-tokens', 'cache-read-input-tokens'][(h % 3) + 1] AS direction,
      ['search', 'support', 'growth', 'platform', 'data'][(h % 5) + 1] AS team,
      TIMESTAMP '2026-10-01 00:00:00' + to_hours(CAST(hour AS BIGINT)) AS usage_start
    FROM numbered
  )
  SELECT
    'li-' || i AS identity_line_item_id,
    strftime(usage_start, '%Y-%m-%dT%H:%M:%SZ') || '/' ||
      strftime(usage_start + INTERVAL 1 HOUR, '%Y-%m-%dT%H:%M:%SZ') AS identity_time_interval,
    'EUINGB26-000' || (h % 7) AS bill_invoice_id,
    CASE kind WHEN 'marketplace' THEN 'AWS Marketplace' ELSE 'AWS' END AS bill_billing_entity,
    'Anniversary' AS bill_bill_type,
    '111111111111' AS bill_payer_account_id,
    TIMESTAMP '2026-10-01 00:00:00' AS bill_billing_period_start_date,
    TIMESTAMP '2026-11-01 00:00:00' AS bill_billing_period_end_date,
    lpad(CAST(200000000000 + h % 40 AS VARCHAR), 12, '0') AS line_item_usage_account_id,
    'account-' || (h % 40) AS line_item_usage_account_name,
    CASE WHEN h % 97 = 0 THEN 'Tax' WHEN h % 89 = 0 THEN 'Credit' ELSE 'Usage' END
      AS line_item_line_item_type,
    usage_start AS line_item_usage_start_date,
    usage_start + INTERVAL 1 HOUR AS line_item_usage_end_date,
    CASE kind WHEN 'bedrock' THEN 'AmazonBedrock' WHEN 'marketplace' THEN 'c9x2mpcode' || (h % 3)
      ELSE other_code END AS line_item_product_code,
    CASE kind WHEN 'bedrock' THEN 'USE1-' || bedrock_model || '-' || direction
      WHEN 'marketplace' THEN 'USE1-MP:USE1_' ||
        CASE WHEN h % 2 = 0 THEN 'InputTokenCount' ELSE 'OutputTokenCount' END || '-Units'
      ELSE 'USE1-' || other_code || '-Usage' || (h % 50) END AS line_item_usage_type,
    CASE WHEN kind = 'other' THEN 'RunInstances' ELSE 'InvokeModel' END AS line_item_operation,
    'us-east-1' || chr(97 + CAST(h % 3 AS INTEGER)) AS line_item_availability_zone,
    CASE WHEN kind = 'other' THEN 'arn:aws:ec2:us-east-1:222222222222:instance/i-' || (h % 100000)
      ELSE NULL END AS line_item_resource_id,
    CAST((h % 100000) AS DOUBLE) / 100 AS line_item_usage_amount,
    CAST((h % 100000) AS DOUBLE) / 100 AS line_item_normalized_usage_amount,
    1.0 AS line_item_normalization_factor,
    'USD' AS line_item_currency_code,
    CAST((h % 1000) AS DOUBLE) / 1e6 AS line_item_unblended_rate,
    CAST((h % 1000003) AS DOUBLE) / 1e7 * CASE WHEN h % 89 = 0 THEN -1 ELSE 1 END
      AS line_item_unblended_cost,
    CAST((h % 1000) AS DOUBLE) / 1e6 AS line_item_blended_rate,
    CAST((h % 1000003) AS DOUBLE) / 1e7 AS line_item_blended_cost,
    'Usage of ' || other_code AS line_item_line_item_description,
    NULL::VARCHAR AS line_item_tax_type,
    'Amazon Web Services, Inc.' AS line_item_legal_entity,
    CASE WHEN kind = 'other' THEN NULL
      ELSE 'arn:aws:sts::222222222222:assumed-role/' || team || '-app/session-' || (h % 1000)
      END AS line_item_iam_principal,
    MAP {{
      'product_name': CASE kind WHEN 'bedrock' THEN 'Amazon Bedrock'
        WHEN 'marketplace' THEN 'Claude Sonnet 4.5 (Amazon Bedrock Edition)'
        ELSE 'Amazon ' || other_code END,
      'servicename': other_code,
      'instance_type': 'm7i.' || (h % 8) || 'xlarge',
      'operating_system': 'Linux',
      'tenancy': 'Shared',
      'location': 'US East (N. Virginia)'
    }} AS product,
    'us-east-1' AS product_region_code,
    other_code AS product_servicecode,
    'SKU' || (h % 5000) AS product_sku,
    CASE WHEN kind = 'other' THEN 'Hrs' ELSE '1K tokens' END AS pricing_unit,
    'OnDemand' AS pricing_term,
    CAST((h % 1000003) AS DOUBLE) / 1e7 AS pricing_public_on_demand_cost,
    CAST((h % 1000) AS DOUBLE) / 1e6 AS pricing_public_on_demand_rate,
    NULL::VARCHAR AS reservation_reservation_a_r_n,
    NULL::DOUBLE AS reservation_effective_cost,
    NULL::VARCHAR AS savings_plan_savings_plan_a_r_n,
    NULL::DOUBLE AS savings_plan_savings_plan_effective_cost,
    MAP {{'user_team': team, 'user_env': CASE WHEN h % 2 = 0 THEN 'prod' ELSE 'dev' END}}
      AS resource_tags,
    CASE WHEN kind = 'other' THEN MAP {{'user_team': team}}
      ELSE MAP {{'iamPrincipal/team': team, 'user_team': team}} END AS tags,
    MAP {{'business_unit': 'bu-' || (h % 4)}} AS cost_category,
    MAP {{}}::MAP(VARCHAR, DOUBLE) AS discount
  FROM kinds
  ORDER BY h
) TO '{out}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)
""")
