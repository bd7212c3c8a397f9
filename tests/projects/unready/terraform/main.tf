terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

variable "db_password" {
  type    = string
  default = "changeme"  # expect: secrets/default-password-in-env
}

resource "aws_db_instance" "shop" { # expect: terraform/rds-no-deletion-protection
  identifier        = "shop"
  engine            = "postgres"
  engine_version    = "16.4"
  instance_class    = "db.t4g.small"
  allocated_storage = 20
  username          = "shop"
  password          = var.db_password
  storage_encrypted = false # expect: terraform/rds-storage-unencrypted
  backup_retention_period = 0 # expect: terraform/rds-backups-disabled
  publicly_accessible = true # expect: terraform/rds-publicly-accessible
  skip_final_snapshot = true # expect: terraform/rds-skip-final-snapshot
}

resource "aws_security_group" "db" {
  name   = "shop-db"
  vpc_id = var.vpc_id

  ingress {
    description = "Postgres, temporarily open for the migration"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] # expect: terraform/security-group-open-ingress
  }
}

# Reporting copy of the orders; "it can be rebuilt from the main database".
resource "aws_db_instance" "analytics" {
  identifier              = "shop-analytics"
  engine                  = "postgres"
  engine_version          = "16.4"
  instance_class          = "db.t4g.small"
  allocated_storage       = 20
  username                = "analytics"
  password                = var.db_password
  storage_encrypted       = true
  deletion_protection     = true
  backup_retention_period = 1 # expect: terraform/rds-backup-retention-short
}
