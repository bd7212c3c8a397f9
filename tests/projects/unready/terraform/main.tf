terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

variable "db_password" {
  type    = string
  default = "changeme"  # expect: secrets/default-password-in-env
}

resource "aws_db_instance" "shop" {
  identifier        = "shop"
  engine            = "postgres"
  engine_version    = "16.4"
  instance_class    = "db.t4g.small"
  allocated_storage = 20
  username          = "shop"
  password          = var.db_password
  storage_encrypted = false
}
